//! Memory handed to C callers: allocated with `malloc`, so that both `free()` and the
//! `MQTTClient_free*` functions release it.

use std::ptr::NonNull;

/// A byte buffer in malloc'd memory (at least one byte is allocated, so the pointer is
/// never NULL even for an empty payload).
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
        let me = std::mem::ManuallyDrop::new(self);
        (me.ptr.as_ptr(), me.len)
    }
}

impl Drop for MallocBuf {
    fn drop(&mut self) {
        // SAFETY: ptr came from malloc and is freed once.
        unsafe { libc::free(self.ptr.as_ptr() as *mut libc::c_void) };
    }
}

/// Copy a string into malloc'd memory with a terminating NUL.
pub fn malloc_cstring(s: &str) -> *mut libc::c_char {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    MallocBuf::copy_from(&v).into_raw().0 as *mut libc::c_char
}
