//! The C side of persistence: the application's `MQTTClient_persistence` callbacks as a
//! [`Store`], the async API's before-write / after-read hooks, and the choice of store at
//! create time (shared by both APIs).

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_void};
use std::sync::Arc;

use super::types::*;
use crate::persist::{FileStore, Store};
use crate::vg::Mutex;

/// The application's store: its callbacks and the handle its `popen` returned.
struct UserStore {
    p: MQTTClient_persistence,
    handle: *mut c_void,
    put: unsafe extern "C" fn(
        *mut c_void,
        *mut c_char,
        c_int,
        *mut *mut c_char,
        *mut c_int,
    ) -> c_int,
    get: unsafe extern "C" fn(*mut c_void, *mut c_char, *mut *mut c_char, *mut c_int) -> c_int,
    remove: unsafe extern "C" fn(*mut c_void, *mut c_char) -> c_int,
    keys: unsafe extern "C" fn(*mut c_void, *mut *mut *mut c_char, *mut c_int) -> c_int,
    clear: unsafe extern "C" fn(*mut c_void) -> c_int,
}

// SAFETY: the callbacks and handle belong to the application, which gave them to a client
// that may be used from any thread (Paho's contract for persistence callbacks); we call them
// from one thread at a time (under the client's lock).
unsafe impl Send for UserStore {}

fn ckey(key: &str) -> Result<CString, String> {
    CString::new(key).map_err(|_| format!("key {key:?} has a NUL byte"))
}

fn check(what: &str, key: &str, rc: c_int) -> Result<(), String> {
    if rc == 0 {
        Ok(())
    } else {
        Err(format!("the application's {what}({key}) returned {rc}"))
    }
}

impl Store for UserStore {
    fn put(&mut self, key: &str, bufs: &[&[u8]]) -> Result<(), String> {
        let k = ckey(key)?;
        let mut ptrs: Vec<*mut c_char> = bufs.iter().map(|b| b.as_ptr() as *mut c_char).collect();
        let mut lens: Vec<c_int> = bufs.iter().map(|b| b.len() as c_int).collect();
        // SAFETY: valid arrays of `bufs.len()` buffers that outlive the call; the callee may
        // read them only (it is handed our own memory).
        let rc = unsafe {
            (self.put)(
                self.handle,
                k.as_ptr() as *mut c_char,
                bufs.len() as c_int,
                ptrs.as_mut_ptr(),
                lens.as_mut_ptr(),
            )
        };
        check("pput", key, rc)
    }

    fn get(&mut self, key: &str) -> Result<Vec<u8>, String> {
        let k = ckey(key)?;
        let mut buf: *mut c_char = std::ptr::null_mut();
        let mut len: c_int = 0;
        // SAFETY: out-pointers to locals.
        let rc = unsafe { (self.get)(self.handle, k.as_ptr() as *mut c_char, &mut buf, &mut len) };
        let out = take_malloced(buf, len);
        check("pget", key, rc)?;
        out.ok_or_else(|| format!("the application's pget({key}) gave no buffer"))
    }

    fn remove(&mut self, key: &str) -> Result<(), String> {
        let k = ckey(key)?;
        // SAFETY: a valid C string.
        let rc = unsafe { (self.remove)(self.handle, k.as_ptr() as *mut c_char) };
        check("premove", key, rc)
    }

    fn keys(&mut self) -> Result<Vec<String>, String> {
        let mut keys: *mut *mut c_char = std::ptr::null_mut();
        let mut n: c_int = 0;
        // SAFETY: out-pointers to locals.
        let rc = unsafe { (self.keys)(self.handle, &mut keys, &mut n) };
        let mut out = Vec::new();
        if !keys.is_null() {
            for i in 0..n.max(0) as usize {
                // SAFETY: the callee returned an array of `n` malloc'd strings.
                let k = unsafe { *keys.add(i) };
                if !k.is_null() {
                    // SAFETY: a NUL-terminated string from the callee.
                    if let Ok(s) = unsafe { CStr::from_ptr(k) }.to_str() {
                        out.push(s.to_string());
                    }
                    // SAFETY: malloc'd by the callee, ours to free (Paho's contract).
                    unsafe { libc::free(k as *mut c_void) };
                }
            }
            // SAFETY: as above.
            unsafe { libc::free(keys as *mut c_void) };
        }
        check("pkeys", "", rc)?;
        Ok(out)
    }

    fn clear(&mut self) -> Result<(), String> {
        // SAFETY: the handle from popen.
        let rc = unsafe { (self.clear)(self.handle) };
        check("pclear", "", rc)
    }

    fn close(&mut self) -> Result<(), String> {
        if let Some(close) = self.p.pclose {
            // SAFETY: the handle from popen, closed once (the store is dropped after).
            let rc = unsafe { close(self.handle) };
            return check("pclose", "", rc);
        }
        Ok(())
    }
}

/// Copy and free a buffer the application malloc'd.
fn take_malloced(buf: *mut c_char, len: c_int) -> Option<Vec<u8>> {
    if buf.is_null() {
        return None;
    }
    let v = if len > 0 {
        // SAFETY: the callee promises `len` bytes at `buf`.
        unsafe { std::slice::from_raw_parts(buf as *const u8, len as usize) }.to_vec()
    } else {
        Vec::new()
    };
    // SAFETY: malloc'd by the application for us to free.
    unsafe { libc::free(buf as *mut c_void) };
    Some(v)
}

/// The async API's transform hooks (MQTTAsync_setBeforePersistenceWrite / AfterPersistenceRead).
#[derive(Default, Clone, Copy)]
pub struct Hooks {
    /// Before write, with its context.
    pub before: (MQTTPersistence_beforeWrite, usize),
    /// After read, with its context.
    pub after: (MQTTPersistence_afterRead, usize),
}

/// A store whose values pass through the application's hooks.
struct HookedStore {
    inner: Box<dyn Store>,
    hooks: Arc<Mutex<Hooks>>,
}

fn malloc_copy(b: &[u8]) -> *mut c_char {
    // SAFETY: plain malloc; at least one byte so that an empty buffer is a real pointer.
    let p = unsafe { libc::malloc(b.len().max(1)) } as *mut c_char;
    if !p.is_null() {
        // SAFETY: `p` has room for `b`.
        unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), p as *mut u8, b.len()) };
    }
    p
}

impl Store for HookedStore {
    fn put(&mut self, key: &str, bufs: &[&[u8]]) -> Result<(), String> {
        let hooks = *self.hooks.lock().unwrap_or_else(|e| e.into_inner());
        let (Some(before), ctx) = hooks.before else {
            return self.inner.put(key, bufs);
        };
        // The hook gets malloc'd copies it may change in place or replace (freeing ours and
        // giving malloc'd ones of its own); whatever the arrays hold afterwards is written and
        // then freed.
        let mut ptrs: Vec<*mut c_char> = bufs.iter().map(|b| malloc_copy(b)).collect();
        let mut lens: Vec<c_int> = bufs.iter().map(|b| b.len() as c_int).collect();
        if ptrs.iter().any(|p| p.is_null()) {
            free_all(&ptrs);
            return Err("out of memory".into());
        }
        // SAFETY: arrays of `bufs.len()` malloc'd buffers.
        let rc = unsafe {
            before(
                ctx as *mut c_void,
                ptrs.len() as c_int,
                ptrs.as_mut_ptr(),
                lens.as_mut_ptr(),
            )
        };
        if rc != 0 {
            free_all(&ptrs);
            return Err(format!("the beforeWrite hook returned {rc} for {key}"));
        }
        let views: Vec<&[u8]> = ptrs
            .iter()
            .zip(&lens)
            .map(|(p, l)| {
                if p.is_null() || *l <= 0 {
                    &[][..]
                } else {
                    // SAFETY: the hook left `l` bytes at `p`.
                    unsafe { std::slice::from_raw_parts(*p as *const u8, *l as usize) }
                }
            })
            .collect();
        let r = self.inner.put(key, &views);
        free_all(&ptrs);
        r
    }

    fn get(&mut self, key: &str) -> Result<Vec<u8>, String> {
        let v = self.inner.get(key)?;
        let hooks = *self.hooks.lock().unwrap_or_else(|e| e.into_inner());
        let (Some(after), ctx) = hooks.after else {
            return Ok(v);
        };
        let mut buf = malloc_copy(&v);
        if buf.is_null() {
            return Err("out of memory".into());
        }
        let mut len = v.len() as c_int;
        // SAFETY: a malloc'd buffer the hook may replace (freeing ours).
        let rc = unsafe { after(ctx as *mut c_void, &mut buf, &mut len) };
        let out = take_malloced(buf, len);
        if rc != 0 {
            return Err(format!("the afterRead hook returned {rc} for {key}"));
        }
        out.ok_or_else(|| format!("the afterRead hook gave no buffer for {key}"))
    }

    fn remove(&mut self, key: &str) -> Result<(), String> {
        self.inner.remove(key)
    }
    fn keys(&mut self) -> Result<Vec<String>, String> {
        self.inner.keys()
    }
    fn clear(&mut self) -> Result<(), String> {
        self.inner.clear()
    }
    fn close(&mut self) -> Result<(), String> {
        self.inner.close()
    }
}

fn free_all(ptrs: &[*mut c_char]) {
    for p in ptrs {
        if !p.is_null() {
            // SAFETY: malloc'd by us or by the hook.
            unsafe { libc::free(*p as *mut c_void) };
        }
    }
}

/// The store for a client being created: `None` for MQTTCLIENT_PERSISTENCE_NONE, the file
/// store under `context` (a directory name, or NULL for the working directory) for DEFAULT,
/// the application's callbacks (`context` points to an `MQTTClient_persistence`) for USER.
/// `hooks`, when given, wraps the store in the async API's transform hooks. The error says
/// what was wrong.
///
/// # Safety
/// `context` is NULL or what the persistence type says it is.
pub unsafe fn open_store(
    persistence_type: c_int,
    context: *mut c_void,
    client_id: &str,
    server_uri: &str,
    hooks: Option<Arc<Mutex<Hooks>>>,
) -> Result<Option<Box<dyn Store>>, String> {
    let store: Box<dyn Store> = match persistence_type {
        MQTTCLIENT_PERSISTENCE_NONE => return Ok(None),
        MQTTCLIENT_PERSISTENCE_DEFAULT => {
            let base = if context.is_null() {
                None
            } else {
                // SAFETY: a C string per the API.
                let s = unsafe { CStr::from_ptr(context as *const c_char) };
                Some(
                    s.to_str()
                        .map_err(|_| "persistence directory name is not UTF-8".to_string())?
                        .to_string(),
                )
            };
            Box::new(FileStore::open(base.as_deref(), client_id, server_uri)?)
        }
        MQTTCLIENT_PERSISTENCE_USER => {
            if context.is_null() {
                return Err("MQTTCLIENT_PERSISTENCE_USER with a NULL persistence_context".into());
            }
            // SAFETY: the application's MQTTClient_persistence, copied once.
            let p = unsafe { *(context as *const MQTTClient_persistence) };
            let (Some(open), Some(put), Some(get), Some(remove), Some(keys), Some(clear)) =
                (p.popen, p.pput, p.pget, p.premove, p.pkeys, p.pclear)
            else {
                return Err(
                    "MQTTClient_persistence lacks popen, pput, pget, premove, pkeys or pclear"
                        .into(),
                );
            };
            if p.context.is_null() {
                // Paho refuses a table without its own context too.
                return Err("MQTTClient_persistence.context is NULL".into());
            }
            let cid = ckey(client_id)?;
            let server = server_uri.split_once("://").map_or(server_uri, |(_, r)| r);
            let curi = ckey(server)?;
            let mut handle: *mut c_void = std::ptr::null_mut();
            // SAFETY: the application's open with valid strings and out-pointer.
            let rc = unsafe { open(&mut handle, cid.as_ptr(), curi.as_ptr(), p.context) };
            if rc != 0 {
                return Err(format!("the application's popen returned {rc}"));
            }
            Box::new(UserStore {
                p,
                handle,
                put,
                get,
                remove,
                keys,
                clear,
            })
        }
        other => return Err(format!("unknown persistence type {other}")),
    };
    Ok(Some(match hooks {
        Some(hooks) => Box::new(HookedStore {
            inner: store,
            hooks,
        }),
        None => store,
    }))
}
