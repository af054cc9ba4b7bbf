//! Persistence: where a client keeps the messages it accepted until they are acknowledged,
//! so that a new process with the same client id and store resends them.
//!
//! A store holds one entry per key, named as Paho names them so that a user persistence
//! sees familiar keys (`MQTTClient_persistence` in C):
//!
//! | key | what | written | removed |
//! | --- | --- | --- | --- |
//! | `s-<id>` (`s5-` for MQTT 5) | an outbound QoS 1/2 PUBLISH | before publish returns its token | at PUBACK / PUBCOMP |
//! | `sc-<id>` (`sc5-`) | its PUBREL stage | when PUBREC arrives, before PUBREL is sent | at PUBCOMP |
//! | `r-<id>` (`r5-`) | an inbound QoS 2 id | before PUBREC is sent | at PUBREL |
//! | `q-<n>` (`q5-`) | a message buffered while disconnected (async) | before send returns | when it goes to the session |
//!
//! The value of `s-`, `sc-` and `q-` entries is the MQTT packet as it goes on the wire (as
//! Paho's file store holds it), followed for `s-` and `q-` by an 8-byte big-endian sequence
//! number that keeps the order of publication across packet id wrap-around. Entries written
//! by Paho (no sequence number) are read too, in packet id order.
//!
//! The file store ([`FileStore`]) writes each entry as `<key>.msg` in a directory per client
//! id and server, as Paho does. Data reaches the operating system before the publish call
//! returns (it survives the process being killed); it is not `fsync`ed (a power cut may lose
//! it), which is also Paho's policy.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::protocol::{self, Packet, ProtocolVersion, Publish};

/// A persistent key-value store for one client.
pub trait Store: Send {
    /// Store `bufs`, concatenated, under `key` (replacing what was there).
    fn put(&mut self, key: &str, bufs: &[&[u8]]) -> Result<(), String>;
    /// The value under `key`.
    fn get(&mut self, key: &str) -> Result<Vec<u8>, String>;
    /// Remove `key` (no error when absent).
    fn remove(&mut self, key: &str) -> Result<(), String>;
    /// Every key in the store.
    fn keys(&mut self) -> Result<Vec<String>, String>;
    /// Remove every key.
    fn clear(&mut self) -> Result<(), String>;
    /// Close the store (the client is being destroyed).
    fn close(&mut self) -> Result<(), String>;
}

/// What a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `s-`: an outbound PUBLISH.
    Sent,
    /// `sc-`: its PUBREL stage.
    Released,
    /// `r-`: an inbound QoS 2 id.
    Received,
    /// `q-`: a message buffered while disconnected.
    Queued,
}

impl Kind {
    fn prefix(self, v5: bool) -> &'static str {
        match (self, v5) {
            (Kind::Sent, false) => "s-",
            (Kind::Sent, true) => "s5-",
            (Kind::Released, false) => "sc-",
            (Kind::Released, true) => "sc5-",
            (Kind::Received, false) => "r-",
            (Kind::Received, true) => "r5-",
            (Kind::Queued, false) => "q-",
            (Kind::Queued, true) => "q5-",
        }
    }
}

/// The key of entry `n` of `kind`.
pub fn key(kind: Kind, v5: bool, n: u64) -> String {
    format!("{}{}", kind.prefix(v5), n)
}

/// What key `k` names: its kind, whether it is an MQTT 5 entry, and its number. `None` for a
/// key of no kind of ours.
pub fn parse_key(k: &str) -> Option<(Kind, bool, u64)> {
    // Longest prefixes first: "sc5-" before "sc-" before "s5-" before "s-".
    const ORDER: [(Kind, bool); 8] = [
        (Kind::Released, true),
        (Kind::Released, false),
        (Kind::Sent, true),
        (Kind::Sent, false),
        (Kind::Received, true),
        (Kind::Received, false),
        (Kind::Queued, true),
        (Kind::Queued, false),
    ];
    for (kind, v5) in ORDER {
        if let Some(rest) = k.strip_prefix(kind.prefix(v5)) {
            if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) || rest.len() > 19 {
                return None;
            }
            return rest.parse().ok().map(|n| (kind, v5, n));
        }
    }
    None
}

/// The value of an `s-` or `q-` entry: the PUBLISH as on the wire, then the sequence number.
pub fn publish_record(
    msg: &Publish<'_>,
    version: ProtocolVersion,
    seq: u64,
) -> Result<(Vec<u8>, [u8; 8]), protocol::CodecError> {
    let mut out = Vec::with_capacity(msg.payload.len() + msg.topic.len() + 16);
    let p = Publish {
        dup: false,
        qos: msg.qos,
        retain: msg.retain,
        topic: std::borrow::Cow::Borrowed(&msg.topic),
        packet_id: msg.packet_id,
        properties: msg.properties.clone(),
        payload: std::borrow::Cow::Borrowed(&msg.payload),
    };
    protocol::encode(&Packet::Publish(p), version, &mut out)?;
    Ok((out, seq.to_be_bytes()))
}

/// Read an `s-` or `q-` value back: the PUBLISH and its sequence number (`None` when the
/// entry has none, as Paho writes them). Anything else is an error saying what is wrong.
pub fn read_publish_record(
    bytes: &[u8],
    v5: bool,
) -> Result<(Publish<'static>, Option<u64>), String> {
    let version = if v5 {
        ProtocolVersion::V5
    } else {
        ProtocolVersion::V311
    };
    match protocol::decode(bytes, version, usize::MAX) {
        Ok(Some((Packet::Publish(p), used))) => {
            let rest = &bytes[used..];
            let seq = match rest.len() {
                0 => None,
                8 => {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(rest);
                    Some(u64::from_be_bytes(b))
                }
                n => return Err(format!("{n} unexpected bytes after the PUBLISH")),
            };
            Ok((p.into_owned(), seq))
        }
        Ok(Some((other, _))) => Err(format!("a {} packet, not a PUBLISH", other.name())),
        Ok(None) => Err("truncated".into()),
        Err(e) => Err(format!("not a valid PUBLISH: {e}")),
    }
}

/// The file store: `<key>.msg` files in `<base>/<client id>-<server>`, where `<server>` is
/// the URI without its scheme and with `:` made `-` (as Paho names the directory).
pub struct FileStore {
    dir: PathBuf,
}

/// The directory [`FileStore::open`] uses for `client_id` and `server_uri` under `base`
/// (the working directory when `None`).
pub fn file_store_dir(base: Option<&str>, client_id: &str, server_uri: &str) -> PathBuf {
    let server = server_uri
        .split_once("://")
        .map_or(server_uri, |(_, rest)| rest)
        .replace(':', "-");
    let base = base.unwrap_or(".");
    PathBuf::from(format!("{base}/{client_id}-{server}"))
}

fn mkdir_all(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(dir)
}

fn describe(what: &str, path: &Path, e: io::Error) -> String {
    format!("{what} {}: {e}", path.display())
}

impl FileStore {
    /// Open (creating it when needed) the store directory for a client.
    pub fn open(base: Option<&str>, client_id: &str, server_uri: &str) -> Result<Self, String> {
        let dir = file_store_dir(base, client_id, server_uri);
        mkdir_all(&dir).map_err(|e| describe("cannot create the store directory", &dir, e))?;
        if !dir.is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        Ok(FileStore { dir })
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.msg"))
    }
}

impl Store for FileStore {
    fn put(&mut self, key: &str, bufs: &[&[u8]]) -> Result<(), String> {
        let path = self.path(key);
        let write = || -> io::Result<()> {
            let mut f = fs::File::create(&path)?;
            // One writev for the packet and its sequence number, without joining them first.
            let slices: Vec<io::IoSlice<'_>> = bufs.iter().map(|b| io::IoSlice::new(b)).collect();
            let total: usize = bufs.iter().map(|b| b.len()).sum();
            let n = f.write_vectored(&slices)?;
            if n < total {
                // A short write (rare on a regular file): the rest, joined.
                f.write_all(&bufs.concat()[n..])?;
            }
            Ok(())
        };
        write().map_err(|e| describe("cannot write", &path, e))
    }

    fn get(&mut self, key: &str) -> Result<Vec<u8>, String> {
        let path = self.path(key);
        fs::read(&path).map_err(|e| describe("cannot read", &path, e))
    }

    fn remove(&mut self, key: &str) -> Result<(), String> {
        let path = self.path(key);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(describe("cannot remove", &path, e)),
        }
    }

    fn keys(&mut self) -> Result<Vec<String>, String> {
        let rd = fs::read_dir(&self.dir).map_err(|e| describe("cannot list", &self.dir, e))?;
        let mut keys = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| describe("cannot list", &self.dir, e))?;
            let name = entry.file_name();
            if let Some(k) = name.to_str().and_then(|n| n.strip_suffix(".msg")) {
                keys.push(k.to_string());
            }
        }
        Ok(keys)
    }

    fn clear(&mut self) -> Result<(), String> {
        for k in self.keys()? {
            self.remove(&k)?;
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), String> {
        // An empty store leaves no directory behind (Paho does the same); one with entries
        // stays for the next process.
        let _ = fs::remove_dir(&self.dir);
        Ok(())
    }
}

/// A store in memory, for tests.
#[derive(Default)]
pub struct MemStore {
    /// The entries.
    pub map: std::collections::BTreeMap<String, Vec<u8>>,
}

impl Store for MemStore {
    fn put(&mut self, key: &str, bufs: &[&[u8]]) -> Result<(), String> {
        self.map.insert(key.to_string(), bufs.concat());
        Ok(())
    }
    fn get(&mut self, key: &str) -> Result<Vec<u8>, String> {
        self.map
            .get(key)
            .cloned()
            .ok_or_else(|| format!("no {key}"))
    }
    fn remove(&mut self, key: &str) -> Result<(), String> {
        self.map.remove(key);
        Ok(())
    }
    fn keys(&mut self) -> Result<Vec<String>, String> {
        Ok(self.map.keys().cloned().collect())
    }
    fn clear(&mut self) -> Result<(), String> {
        self.map.clear();
        Ok(())
    }
    fn close(&mut self) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Properties, QoS};
    use std::borrow::Cow;

    #[test]
    fn keys_round_trip() {
        for kind in [Kind::Sent, Kind::Released, Kind::Received, Kind::Queued] {
            for v5 in [false, true] {
                let k = key(kind, v5, 65535);
                assert_eq!(parse_key(&k), Some((kind, v5, 65535)), "{k}");
            }
        }
        for bad in [
            "",
            "s-",
            "x-1",
            "s-1a",
            "s--1",
            "sc-",
            "s-99999999999999999999",
        ] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn directory_is_named_as_paho_names_it() {
        let d = file_store_dir(Some("/tmp/x"), "dev1", "tcp://127.0.0.1:1883");
        assert_eq!(d, PathBuf::from("/tmp/x/dev1-127.0.0.1-1883"));
        let d = file_store_dir(None, "c", "localhost:1883");
        assert_eq!(d, PathBuf::from("./c-localhost-1883"));
    }

    fn msg(id: u16) -> Publish<'static> {
        Publish {
            dup: false,
            qos: QoS::ExactlyOnce,
            retain: true,
            topic: Cow::Owned("a/b".into()),
            packet_id: id,
            properties: Properties::default(),
            payload: Cow::Owned(b"hello".to_vec()),
        }
    }

    #[test]
    fn record_round_trip_and_paho_form() {
        let (p, seq) = publish_record(&msg(7), ProtocolVersion::V311, 42).unwrap();
        // Paho's form: the PUBLISH packet alone.
        assert_eq!(p[0], 0x35);
        let (back, s) = read_publish_record(&p, false).unwrap();
        assert_eq!((back.packet_id, s), (7, None));
        let both = [p.as_slice(), &seq].concat();
        let (back, s) = read_publish_record(&both, false).unwrap();
        assert_eq!(
            (back.packet_id, &*back.topic, &*back.payload, s),
            (7, "a/b", &b"hello"[..], Some(42))
        );
    }

    #[test]
    fn damaged_records_are_errors() {
        let (p, _) = publish_record(&msg(7), ProtocolVersion::V311, 1).unwrap();
        for cut in 0..p.len() {
            assert!(
                read_publish_record(&p[..cut], false).is_err(),
                "cut at {cut}"
            );
        }
        assert!(read_publish_record(&[p.as_slice(), b"xyz"].concat(), false).is_err());
        assert!(read_publish_record(&[0xc0, 0x00], false).is_err());
        assert!(read_publish_record(&[0xff; 40], false).is_err());
    }

    #[test]
    fn file_store_basics() {
        let base = std::env::temp_dir().join(format!("persist-test-{}", std::process::id()));
        let base_s = base.to_str().unwrap().to_string();
        let mut s = FileStore::open(Some(&base_s), "cid", "tcp://h:1").unwrap();
        s.put("s-1", &[b"ab", b"cd"]).unwrap();
        assert_eq!(s.get("s-1").unwrap(), b"abcd");
        assert_eq!(s.keys().unwrap(), vec!["s-1".to_string()]);
        s.remove("s-1").unwrap();
        s.remove("s-1").unwrap();
        assert!(s.get("s-1").is_err());
        s.put("r-2", &[b"x"]).unwrap();
        s.clear().unwrap();
        assert!(s.keys().unwrap().is_empty());
        s.close().unwrap();
        assert!(!base.join("cid-h-1").exists());
        let _ = fs::remove_dir_all(&base);
    }
}
