//! Memory handed to C callers: allocated with `malloc`, so that both `free()` and the
//! `MQTTClient_free*` functions release it.

use std::ptr::NonNull;

/// A byte buffer in malloc'd memory. An empty one allocates nothing until it is handed to C
/// ([`MallocBuf::into_raw`] then allocates one byte, so C never gets NULL for it).
#[derive(Debug)]
pub struct MallocBuf {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the buffer is exclusively owned; moving it between threads is fine.
unsafe impl Send for MallocBuf {}
// SAFETY: shared access is read-only.
unsafe impl Sync for MallocBuf {}

impl MallocBuf {
    /// Copy `data` into a new malloc'd buffer. Aborts like `Vec` on allocation failure.
    pub fn copy_from(data: &[u8]) -> MallocBuf {
        if data.is_empty() {
            return MallocBuf {
                ptr: NonNull::dangling(),
                len: 0,
            };
        }
        // SAFETY: malloc with a nonzero size; the result is checked for NULL.
        let raw = unsafe { libc::malloc(data.len().max(1)) } as *mut u8;
        let ptr = match NonNull::new(raw) {
            Some(p) => p,
            None => std::alloc::handle_alloc_error(
                std::alloc::Layout::from_size_align(data.len().max(1), 1)
                    .unwrap_or(std::alloc::Layout::new::<u8>()),
            ),
        };
        // SAFETY: both regions are valid for `data.len()` bytes and do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ptr.as_ptr(), data.len()) };
        MallocBuf {
            ptr,
            len: data.len(),
        }
    }

    /// Take ownership of memory from `malloc` holding `len` bytes.
    ///
    /// # Safety
    /// `ptr` came from `malloc` (or `into_raw`), holds `len` initialised bytes and is owned by
    /// no one else.
    pub unsafe fn from_raw(ptr: *mut u8, len: usize) -> Option<MallocBuf> {
        NonNull::new(ptr).map(|ptr| MallocBuf { ptr, len })
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: ptr is valid for len bytes while self lives.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Give up ownership: the caller must `free()` the pointer.
    pub fn into_raw(self) -> (*mut u8, usize) {
        if self.is_unallocated() {
            // SAFETY: malloc of one byte; NULL only when out of memory (Paho hands NULL on
            // failure too).
            return (unsafe { libc::malloc(1) } as *mut u8, 0);
        }
        let me = std::mem::ManuallyDrop::new(self);
        (me.ptr.as_ptr(), me.len)
    }

    /// The empty buffer that holds no allocation.
    fn is_unallocated(&self) -> bool {
        self.ptr == NonNull::dangling()
    }
}

impl Drop for MallocBuf {
    fn drop(&mut self) {
        if self.is_unallocated() {
            return;
        }
        // SAFETY: ptr came from malloc and is freed once.
        unsafe { libc::free(self.ptr.as_ptr() as *mut libc::c_void) };
    }
}

/// Copy a string into malloc'd memory with a terminating NUL.
pub fn malloc_cstring(s: &str) -> *mut libc::c_char {
    // SAFETY: malloc of len + 1 bytes, checked; then len bytes copied and a NUL written.
    unsafe {
        let p = libc::malloc(s.len() + 1) as *mut u8;
        if p.is_null() {
            std::alloc::handle_alloc_error(
                std::alloc::Layout::from_size_align(s.len() + 1, 1)
                    .unwrap_or(std::alloc::Layout::new::<u8>()),
            );
        }
        std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
        p as *mut libc::c_char
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_buffer_allocates_only_when_handed_to_c() {
        let e = MallocBuf::copy_from(&[]);
        assert!(e.is_empty() && e.as_slice().is_empty());
        let (p, len) = e.into_raw();
        assert!(!p.is_null());
        assert_eq!(len, 0);
        // SAFETY: malloc'd by into_raw, handed back as C would.
        let back = unsafe { MallocBuf::from_raw(p, len) }.map(|b| b.len());
        assert_eq!(back, Some(0));
        drop(MallocBuf::copy_from(&[])); // nothing to free
    }

    #[test]
    fn cstring_is_nul_terminated() {
        let p = malloc_cstring("a/b");
        // SAFETY: a NUL-terminated malloc'd string.
        let s = unsafe { std::ffi::CStr::from_ptr(p) }
            .to_str()
            .map(str::to_owned);
        // SAFETY: ours, freed once.
        unsafe { libc::free(p as *mut libc::c_void) };
        assert_eq!(s.as_deref(), Ok("a/b"));
    }
}
