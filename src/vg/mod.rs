//! Making the library's synchronisation visible to valgrind's helgrind.
//!
//! Helgrind orders memory accesses by the pthread calls it intercepts: mutexes, condition
//! variables, thread create and join. Rust's `std::sync::Mutex` and `Condvar` are futex(2)
//! and atomics, crossbeam's channels and `OnceLock` are atomics, so helgrind sees nothing
//! ordering the data they guard and would report all of it as racing. The types here
//! ([`Mutex`], [`Condvar`], [`OnceLock`], [`unbounded`]) wrap them and tell helgrind where the
//! ordering is made, with its "happens-before" client requests; the crate uses them instead
//! of std's.
//!
//! A client request is a fixed instruction sequence that valgrind's JIT recognises and that
//! does nothing on a real CPU (four rotations of one register adding up to 128 bits, then an
//! exchange of a register with itself). Natively it costs a few cycles and the stores of its
//! argument block to the stack: no lock, no system call, no branch.

mod sync;

pub use sync::{unbounded, Condvar, Mutex, MutexGuard, OnceLock, Receiver, Sender};

/// Helgrind's request numbers, from `enum Vg_TCheckClientRequest` in valgrind's helgrind.h:
/// `VG_USERREQ_TOOL_BASE('H','G')` is `'H' << 24 | 'G' << 16` = 0x4847_0000, the private
/// requests start at that + 256 (`_VG_USERREQ__HG_SET_MY_PTHREAD_T`) and go up by one in
/// the order of the enum. Valgrind keeps these numbers stable (an ABI, says the header).
mod request {
    const BASE: u64 = 0x4847_0000 + 256;
    /// `_VG_USERREQ__HG_USERSO_SEND_PRE`, 34th after SET_MY_PTHREAD_T (what
    /// `ANNOTATE_HAPPENS_BEFORE` sends).
    pub const USERSO_SEND_PRE: u64 = BASE + 33;
    /// `_VG_USERREQ__HG_USERSO_RECV_POST` (`ANNOTATE_HAPPENS_AFTER`).
    pub const USERSO_RECV_POST: u64 = BASE + 34;
    /// `_VG_USERREQ__HG_USERSO_FORGET_ALL` (`ANNOTATE_HAPPENS_BEFORE_FORGET_ALL`).
    pub const USERSO_FORGET_ALL: u64 = BASE + 35;
    /// `_VG_USERREQ__HG_ARANGE_MAKE_UNTRACKED` (`VALGRIND_HG_DISABLE_CHECKING`), after the
    /// three RESERVED entries.
    pub const ARANGE_MAKE_UNTRACKED: u64 = BASE + 39;
}

/// Issue a client request; returns `default` when not running under valgrind.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn client_request(default: u64, args: [u64; 6]) -> u64 {
    let mut result = default;
    // SAFETY: on a real CPU the sequence leaves every register as it was (rdi is rotated by
    // 3+13+61+51 = 128 bits, rbx is exchanged with itself) but the flags, which asm! assumes
    // clobbered anyway. Under valgrind, valgrind reads `args` through rax and writes the
    // answer to rdx. The block is on our stack and outlives the asm; it is not `nomem`, so
    // the compiler stores the arguments before the sequence runs.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") result,
            options(nostack),
        );
    }
    result
}

/// Valgrind is only taught about x86_64 here; elsewhere the requests are no-ops.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn client_request(default: u64, _args: [u64; 6]) -> u64 {
    default
}

/// Everything this thread did so far happens before whatever a thread does after a later
/// [`happens_after`] on the same `tag` (any number: an address of the object that carries
/// the ordering, by convention).
#[inline(always)]
pub fn happens_before(tag: usize) {
    client_request(0, [request::USERSO_SEND_PRE, tag as u64, 0, 0, 0, 0]);
}

/// See [`happens_before`].
#[inline(always)]
pub fn happens_after(tag: usize) {
    client_request(0, [request::USERSO_RECV_POST, tag as u64, 0, 0, 0, 0]);
}

/// Forget the orderings sent on `tag`: its object is gone, and a new one at the same address
/// must not inherit them (which would hide races on the new one).
#[inline(always)]
pub fn forget(tag: usize) {
    client_request(0, [request::USERSO_FORGET_ALL, tag as u64, 0, 0, 0, 0]);
}

/// Have helgrind ignore every access to `x`'s bytes: for an atomic that carries no data to
/// another thread (a flag, a timestamp, a counter), whose own loads and stores are
/// deliberately unordered. Helgrind tracks the bytes again once their memory is freed and
/// allocated anew.
#[inline(always)]
pub fn untrack<T: ?Sized>(x: &T) {
    let addr = x as *const T as *const u8 as u64;
    let len = std::mem::size_of_val(x) as u64;
    client_request(0, [request::ARANGE_MAKE_UNTRACKED, addr, len, 0, 0, 0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Natively every request is the no-op sequence: it answers the default and disturbs
    /// nothing around it.
    #[test]
    fn requests_are_harmless_natively() {
        let flag = std::sync::atomic::AtomicBool::new(true);
        let x = 41u64;
        happens_before(&x as *const u64 as usize);
        happens_after(&x as *const u64 as usize);
        forget(&x as *const u64 as usize);
        untrack(&flag);
        untrack(&[0u8; 0][..]);
        assert_eq!(
            client_request(7, [request::USERSO_SEND_PRE, 0, 0, 0, 0, 0]),
            7
        );
        assert_eq!(x + 1, 42);
        assert!(flag.load(std::sync::atomic::Ordering::Relaxed));
    }

    /// The numbers helgrind.h gives (`enum Vg_TCheckClientRequest`).
    #[test]
    fn request_numbers() {
        assert_eq!(request::USERSO_SEND_PRE, 0x4847_0121);
        assert_eq!(request::USERSO_RECV_POST, 0x4847_0122);
        assert_eq!(request::USERSO_FORGET_ALL, 0x4847_0123);
        assert_eq!(request::ARANGE_MAKE_UNTRACKED, 0x4847_0127);
    }
}
