//! Keeping the SQLite file in memory: its pages locked in the operating system's cache.
//!
//! SQLite has no cache of its own that outlives a transaction on a connection another has
//! written behind (each reader drops its pages when the log has changed), so it reads through
//! the operating system's cache of the file. A kernel that reclaims memory left idle (under
//! pressure, or proactively: DAMON's `pageout` takes pages idle for a minute, file cache
//! included) sends those reads back to the disk, and a request that needed a dozen random pages
//! waits for a dozen reads. PostgreSQL's shared buffers are the process's own memory and are not
//! paged out without swap; this is SQLite's equivalent. The file is mapped (read-only, never
//! read through the mapping) and the mapping locked, which keeps its pages resident; the pages
//! the file grows by are locked as it grows.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Weak;
use std::time::Duration;

/// How often the file is looked at for pages it has grown by.
const GROWTH_CHECK: Duration = Duration::from_secs(1);
/// Locked mappings kept before they are replaced by one of the whole file (each growth adds
/// one, and a process may have only so many mappings).
const MOST_MAPPINGS: usize = 64;

/// Why the file cannot be kept in memory.
#[derive(Debug, thiserror::Error)]
#[error("cannot keep {} in memory: {reason}", path.display())]
pub struct KeepInMemoryError {
    /// The database file.
    pub path: PathBuf,
    /// Why, with what to do about it.
    pub reason: String,
}

/// The pages of a file, from `offset` for `len` bytes, mapped and locked in memory until
/// dropped.
struct LockedRange {
    address: *mut libc::c_void,
    len: usize,
}

// The mapping is only ever locked and unmapped, never read through, so moving it to another
// thread is sound.
unsafe impl Send for LockedRange {}

impl LockedRange {
    /// Maps `len` bytes of `file` from `offset` (a multiple of the page size) and locks them.
    fn lock(file: &File, offset: u64, len: usize) -> std::io::Result<Self> {
        use std::os::fd::AsRawFd;
        let offset = libc::off_t::try_from(offset)
            .map_err(|_| std::io::Error::other("the file is too large to map"))?;
        // SAFETY: a new read-only shared mapping of a file we hold open; nothing reads through
        // it, so a later change or truncation of the file cannot be observed as memory.
        let address = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                offset,
            )
        };
        if address == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let range = Self { address, len };
        // SAFETY: the range is the mapping just made. Locking reads in what is not resident.
        if unsafe { libc::mlock(address, len) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(range)
    }
}

impl Drop for LockedRange {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `lock`, unmapped once (which also unlocks it).
        unsafe {
            libc::munmap(self.address, self.len);
        }
    }
}

/// The file's pages locked so far: mappings that together cover `0..locked`.
struct Resident {
    file: File,
    page: u64,
    locked: u64,
    ranges: Vec<LockedRange>,
}

impl Resident {
    /// Locks the pages the file has that are not locked yet. Only whole pages within the file
    /// are mapped (a page past its end cannot be locked).
    fn lock_growth(&mut self) -> std::io::Result<()> {
        let end = self.file.metadata()?.len() / self.page * self.page;
        if end == self.locked {
            return Ok(());
        }
        // A file that shrank (a VACUUM by hand) and grew again would have pages within the old
        // mappings that nothing locks: the whole file is locked anew. So it is when the
        // mappings are many. The old ones go first: the limit on locked memory counts a page
        // once for each mapping that locks it.
        if end < self.locked || self.ranges.len() >= MOST_MAPPINGS {
            self.ranges.clear();
            self.locked = 0;
            if end == 0 {
                return Ok(());
            }
        }
        let more = LockedRange::lock(&self.file, self.locked, to_len(end - self.locked)?)?;
        self.ranges.push(more);
        self.locked = end;
        Ok(())
    }
}

fn to_len(bytes: u64) -> std::io::Result<usize> {
    usize::try_from(bytes).map_err(|_| std::io::Error::other("the file is too large to map"))
}

/// Locks the pages of the SQLite file at `path` in memory now, and those it grows by every
/// second, for as long as `owner` lives. Gives the bytes locked now.
pub(crate) fn keep_in_memory<T: Send + Sync + 'static>(
    path: &Path,
    owner: Weak<T>,
) -> Result<u64, KeepInMemoryError> {
    let error = |reason: String| KeepInMemoryError {
        path: path.to_owned(),
        reason,
    };
    let file = File::open(path).map_err(|e| error(e.to_string()))?;
    // SAFETY: sysconf has no preconditions.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let mut resident = Resident {
        file,
        page,
        locked: 0,
        ranges: Vec::new(),
    };
    let size = resident.file.metadata().map_or(0, |m| m.len());
    resident
        .lock_growth()
        .map_err(|e| error(explain(&e, size)))?;
    let locked = resident.locked;
    std::thread::Builder::new()
        .name("redress-resident".into())
        .spawn(move || {
            loop {
                std::thread::sleep(GROWTH_CHECK);
                if owner.strong_count() == 0 {
                    return;
                }
                // A growth that cannot be locked now (the limit reached) is tried again at the
                // next look; what is locked stays locked.
                let _ = resident.lock_growth();
            }
        })
        .map_err(|e| error(e.to_string()))?;
    Ok(locked)
}

/// What a failed `mmap` or `mlock` of a file of `size` bytes means for the user.
fn explain(e: &std::io::Error, size: u64) -> String {
    match e.raw_os_error() {
        Some(libc::ENOMEM | libc::EPERM | libc::EAGAIN) => format!(
            "{e}; the limit on locked memory (`ulimit -l`, or LimitMEMLOCK= for a systemd \
             service) must be at least the file's size, {} KiB, or the process needs \
             CAP_IPC_LOCK",
            size.div_ceil(1024)
        ),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn resident_over(file: &Path) -> Resident {
        Resident {
            file: File::open(file).unwrap(),
            page: 4096,
            locked: 0,
            ranges: Vec::new(),
        }
    }

    #[test]
    fn a_file_growing_page_by_page_stays_locked_with_a_bounded_number_of_mappings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut file = File::create(&path).unwrap();
        let mut resident = resident_over(&path);
        for pages in 1..=(MOST_MAPPINGS as u64 * 2) {
            file.write_all(&[7; 4096]).unwrap();
            resident.lock_growth().unwrap();
            assert_eq!(resident.locked, pages * 4096);
            assert!(resident.ranges.len() <= MOST_MAPPINGS);
            let mapped: usize = resident.ranges.iter().map(|r| r.len).sum();
            assert_eq!(mapped as u64, resident.locked);
        }
    }

    #[test]
    fn a_part_of_a_page_at_the_end_is_left_until_the_page_is_whole_and_a_shrunk_file_is_locked_anew()
     {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut file = File::create(&path).unwrap();
        let mut resident = resident_over(&path);
        file.write_all(&[1; 4096 * 3 + 100]).unwrap();
        resident.lock_growth().unwrap();
        assert_eq!(resident.locked, 4096 * 3);
        file.set_len(4096).unwrap();
        resident.lock_growth().unwrap();
        assert_eq!(resident.locked, 4096);
        assert_eq!(resident.ranges.len(), 1);
    }
}
