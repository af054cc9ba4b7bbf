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

    /// A new malloc'd buffer of `len` (nonzero) bytes that are not initialised: a large
    /// payload read straight from the socket into it, with no zero-fill first. A large one
    /// is a block that an earlier payload gave back, if one fits ([`crate::bufpool`]).
    /// Aborts like `Vec` on allocation failure.
    ///
    /// # Safety
    /// Every byte must be written (through [`MallocBuf::as_mut_ptr`]) before the buffer is
    /// read or handed on.
    pub unsafe fn uninit(len: usize) -> MallocBuf {
        if let Some(ptr) = crate::bufpool::take_malloc(len) {
            return MallocBuf { ptr, len };
        }
        // SAFETY: malloc with a nonzero size; the result is checked for NULL.
        let raw = unsafe { libc::malloc(len.max(1)) } as *mut u8;
        match NonNull::new(raw) {
            Some(ptr) => MallocBuf { ptr, len },
            None => std::alloc::handle_alloc_error(
                std::alloc::Layout::from_size_align(len.max(1), 1)
                    .unwrap_or(std::alloc::Layout::new::<u8>()),
            ),
        }
    }

    /// The start of the buffer, to fill (see [`MallocBuf::uninit`]).
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.ptr.as_ptr()
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

/// A UTF-8 string in malloc'd memory with a terminating NUL, so that it can be handed to C
/// as it is (a message's topic: made once by the engine, freed by the application).
pub struct MallocStr {
    /// The bytes and the NUL; or, for the empty placeholder of [`MallocStr::take`], nothing.
    buf: MallocBuf,
}

impl MallocStr {
    /// Copy `s` and a NUL into a new malloc'd buffer. Aborts like `String` when out of memory.
    pub fn new(s: &str) -> MallocStr {
        let n = s.len() + 1;
        // SAFETY: malloc of n bytes, checked; then s.len() bytes copied and a NUL written.
        let raw = unsafe {
            let p = libc::malloc(n) as *mut u8;
            if p.is_null() {
                std::alloc::handle_alloc_error(
                    std::alloc::Layout::from_size_align(n, 1)
                        .unwrap_or(std::alloc::Layout::new::<u8>()),
                );
            }
            std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
            *p.add(s.len()) = 0;
            p
        };
        MallocStr {
            // SAFETY: fresh from malloc, n bytes initialised, ours alone.
            buf: unsafe { MallocBuf::from_raw(raw, n) }.unwrap_or(MallocBuf::copy_from(&[])),
        }
    }

    /// The string, without the NUL.
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.as_slice();
        let bytes = &bytes[..bytes.len().saturating_sub(1)];
        // SAFETY: built from a &str in `new`, or checked in `from_raw`.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// Move the string out, leaving an empty one that holds no memory.
    pub fn take(&mut self) -> MallocStr {
        std::mem::replace(
            self,
            MallocStr {
                buf: MallocBuf::copy_from(&[]),
            },
        )
    }

    /// Give up ownership of the NUL-terminated string: the caller must `free()` it.
    pub fn into_raw(self) -> *mut libc::c_char {
        if self.buf.is_empty() {
            return MallocStr::new("").into_raw();
        }
        self.buf.into_raw().0 as *mut libc::c_char
    }

    /// Take back a string from [`MallocStr::into_raw`] whose text is `len` bytes long.
    ///
    /// # Safety
    /// `p` came from `into_raw`, holds `len` bytes and a NUL, and nobody else owns it.
    pub unsafe fn from_raw(p: *mut libc::c_char, len: usize) -> Option<MallocStr> {
        // SAFETY: per the caller.
        let buf = unsafe { MallocBuf::from_raw(p as *mut u8, len + 1) }?;
        if std::str::from_utf8(&buf.as_slice()[..len]).is_err() {
            // The application wrote into it: keep what is still text.
            let text = String::from_utf8_lossy(&buf.as_slice()[..len]).into_owned();
            return Some(MallocStr::new(&text));
        }
        Some(MallocStr { buf })
    }
}

impl std::ops::Deref for MallocStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for MallocStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for MallocStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
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
    fn malloc_str_hands_over_and_back() {
        let mut m = MallocStr::new("sport/tennis");
        assert_eq!(&*m, "sport/tennis");
        let t = m.take();
        assert_eq!(m.as_str(), "");
        let p = t.into_raw();
        // SAFETY: NUL-terminated, from into_raw.
        assert_eq!(
            unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes(),
            b"sport/tennis"
        );
        // SAFETY: handed back unchanged, 12 bytes of text.
        let back = unsafe { MallocStr::from_raw(p, 12) }.map(|b| b.as_str().to_owned());
        assert_eq!(back.as_deref(), Some("sport/tennis"));
        let empty = m.into_raw();
        // SAFETY: a malloc'd empty C string.
        assert_eq!(unsafe { *empty }, 0);
        // SAFETY: ours, freed once.
        unsafe { libc::free(empty as *mut libc::c_void) };
    }
}
