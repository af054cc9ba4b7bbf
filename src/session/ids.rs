//! Packet identifier allocation: 1..=65535, shared by PUBLISH, SUBSCRIBE and UNSUBSCRIBE.

/// A set of the packet ids in use, with a cursor so that ids are handed out in increasing
/// order (wrapping past 65535 to 1) and a freed id is not reused at once.
#[derive(Debug, Clone)]
pub(crate) struct PacketIds {
    /// One bit per id; bit 0 (id 0) is never set. Grown on demand up to the highest id used,
    /// so that a new client holds a few words, not 8 KiB (thousands of clients per process).
    used: Vec<u64>,
    /// The id handed out last; the search for a free one starts after it.
    last: u16,
    /// Number of ids in use.
    count: usize,
}

impl PacketIds {
    pub(crate) fn new() -> Self {
        PacketIds {
            used: Vec::new(),
            last: 0,
            count: 0,
        }
    }

    pub(crate) fn is_used(&self, id: u16) -> bool {
        self.used
            .get(usize::from(id) / 64)
            .is_some_and(|w| w & (1u64 << (id % 64)) != 0)
    }

    /// Mark `id` used (restore, or an id taken by [`PacketIds::next_free`]). Returns false if
    /// it was 0 or already in use.
    pub(crate) fn take(&mut self, id: u16) -> bool {
        if id == 0 || self.is_used(id) {
            return false;
        }
        let word = usize::from(id) / 64;
        if self.used.len() <= word {
            self.used.resize(word + 1, 0);
        }
        self.used[word] |= 1u64 << (id % 64);
        self.count += 1;
        true
    }

    pub(crate) fn release(&mut self, id: u16) {
        if id != 0 && self.is_used(id) {
            self.used[usize::from(id) / 64] &= !(1u64 << (id % 64));
            self.count -= 1;
        }
    }

    /// The next free id after the last one handed out, without taking it.
    pub(crate) fn peek_free(&self) -> Option<u16> {
        if self.count >= 65535 {
            return None;
        }
        let mut id = self.last;
        // At most 65535 steps, and in practice a handful: a free id exists.
        loop {
            id = if id == 65535 { 1 } else { id + 1 };
            if !self.is_used(id) {
                return Some(id);
            }
        }
    }

    /// Take the next free id.
    pub(crate) fn allocate(&mut self) -> Option<u16> {
        let id = self.peek_free()?;
        self.take(id);
        self.last = id;
        Some(id)
    }

    pub(crate) fn last(&self) -> u16 {
        self.last
    }

    pub(crate) fn set_last(&mut self, last: u16) {
        self.last = last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sequential_skip_used_and_run_out() {
        let mut ids = PacketIds::new();
        assert_eq!(ids.allocate(), Some(1));
        assert_eq!(ids.allocate(), Some(2));
        ids.release(1);
        // The freed id is not handed out again before the others.
        assert_eq!(ids.allocate(), Some(3));
        for expect in 4..=65535u16 {
            assert_eq!(ids.allocate(), Some(expect));
        }
        // Wraps around to the one free id, then there is none.
        assert_eq!(ids.allocate(), Some(1));
        assert_eq!(ids.allocate(), None);
        ids.release(40000);
        assert_eq!(ids.allocate(), Some(40000));
        assert_eq!(ids.allocate(), None);
    }

    #[test]
    fn zero_is_never_an_id() {
        let mut ids = PacketIds::new();
        assert!(!ids.take(0));
        ids.set_last(65535);
        assert_eq!(ids.allocate(), Some(1));
    }
}
