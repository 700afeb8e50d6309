//! Evidence a case file keeps: a file, its name and its media type, however it came (an agent
//! over the API or the desk, a customer through the portal or by mail). The rules every way in
//! shares: what is taken, how large, under what name, and that its bytes are what it says.

use std::fmt;

/// The largest file taken: 10 MiB.
pub const MAX_EVIDENCE_BYTES: usize = 10 << 20;

/// The media types evidence comes in: documents, pictures, mail, spreadsheets as text.
pub const EVIDENCE_TYPES: [&str; 7] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "message/rfc822",
    "application/json",
];

/// The longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// What is wrong with a file's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileNameProblem {
    /// None given (or only spaces).
    Missing,
    /// More than [`MAX_FILE_NAME_CHARS`] characters.
    TooLong,
    /// A folder in it (`/` or `\`), or only dots (`.`, `..`): a path, not a name.
    Path,
    /// A control character (a NUL, a line break, …).
    ControlCharacter,
}

impl fmt::Display for FileNameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "is missing",
            Self::TooLong => "is longer than 255 characters",
            Self::Path => "is a path (it has a / or \\, or is only dots), not a file's name",
            Self::ControlCharacter => "holds a control character",
        })
    }
}

/// Why a file is not taken as evidence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceRefused {
    /// No bytes.
    #[error("the file is empty")]
    Empty,
    /// More than [`MAX_EVIDENCE_BYTES`].
    #[error("the file is {size} bytes; at most {limit} are taken")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A media type not in [`EVIDENCE_TYPES`].
    #[error("`{0}` is not a type of evidence Redress keeps (expected one of {types})", types = EVIDENCE_TYPES.join(", "))]
    MediaType(String),
    /// Bytes that are not what the media type says (an HTML page labelled PDF, a program
    /// labelled PNG, text that is not UTF-8).
    #[error("the file says it is {0}, but its content is not")]
    ContentMismatch(String),
    /// A name that is not a file's name.
    #[error("the file's name {0}")]
    FileName(FileNameProblem),
}

/// `name` as kept (trimmed), or what is wrong with it. Any language's letters are welcome
/// (`café.txt`, `发票.pdf`); a path, dots alone and control characters are not.
pub fn file_name(name: &str) -> Result<&str, FileNameProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FileNameProblem::Missing);
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(FileNameProblem::TooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(FileNameProblem::ControlCharacter);
    }
    if name.contains(['/', '\\']) || name.chars().all(|c| c == '.') {
        return Err(FileNameProblem::Path);
    }
    Ok(name)
}

/// Whether `bytes` are what `media_type` says: a PDF, PNG or JPEG starts as one does; text,
/// CSV and JSON are UTF-8 without NUL bytes; a mail is not looked into.
pub fn content_matches(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        // A PDF's header may follow some junk; readers look within the first 1024 bytes.
        "application/pdf" => bytes.windows(5).take(1024).any(|window| window == b"%PDF-"),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(b"\xff\xd8\xff"),
        "text/plain" | "text/csv" | "application/json" => {
            !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
        }
        _ => true,
    }
}

/// A file checked as evidence: its name as kept, or why it is refused (the first thing wrong,
/// in the order a person would fix them: the type, the size, the content, the name).
pub fn check<'n>(
    name: &'n str,
    media_type: &str,
    bytes: &[u8],
) -> Result<&'n str, EvidenceRefused> {
    if !EVIDENCE_TYPES.contains(&media_type) {
        return Err(EvidenceRefused::MediaType(media_type.to_owned()));
    }
    if bytes.is_empty() {
        return Err(EvidenceRefused::Empty);
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(EvidenceRefused::TooLarge {
            size: bytes.len(),
            limit: MAX_EVIDENCE_BYTES,
        });
    }
    if !content_matches(media_type, bytes) {
        return Err(EvidenceRefused::ContentMismatch(media_type.to_owned()));
    }
    file_name(name).map_err(EvidenceRefused::FileName)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_language_are_kept_and_paths_dots_and_control_characters_are_not() {
        assert_eq!(file_name(" café.txt "), Ok("café.txt"));
        assert_eq!(file_name("发票 2026.pdf"), Ok("发票 2026.pdf"));
        assert_eq!(file_name(".env"), Ok(".env"));
        for path in [".", "..", "...", "../etc/passwd", "a/b.pdf", "C:\\x.pdf"] {
            assert_eq!(file_name(path), Err(FileNameProblem::Path), "{path}");
        }
        assert_eq!(
            file_name("a\u{0}.pdf"),
            Err(FileNameProblem::ControlCharacter)
        );
        assert_eq!(file_name("a\n.pdf"), Err(FileNameProblem::ControlCharacter));
        assert_eq!(file_name("  "), Err(FileNameProblem::Missing));
        assert_eq!(file_name(&"é".repeat(255)).map(str::len), Ok(510));
        assert_eq!(file_name(&"é".repeat(256)), Err(FileNameProblem::TooLong));
    }

    #[test]
    fn bytes_that_are_not_what_their_type_says_are_refused() {
        let html = b"<html><script>alert(1)</script></html>";
        for labelled in ["application/pdf", "image/png", "image/jpeg"] {
            assert_eq!(
                check("x", labelled, html),
                Err(EvidenceRefused::ContentMismatch(labelled.to_owned()))
            );
        }
        assert_eq!(
            check("r.pdf", "application/pdf", b"%PDF-1.7\n"),
            Ok("r.pdf")
        );
        assert_eq!(
            check("p.png", "image/png", b"\x89PNG\r\n\x1a\n...."),
            Ok("p.png")
        );
        assert!(check("t.txt", "text/plain", b"caf\xc3\xa9").is_ok());
        assert!(
            check("t.txt", "text/plain", b"caf\xe9").is_err(),
            "Latin-1 is not UTF-8"
        );
        assert!(check("t.csv", "text/csv", b"a,b\0").is_err(), "a NUL byte");
        assert_eq!(
            check("x.html", "text/html", html),
            Err(EvidenceRefused::MediaType("text/html".to_owned()))
        );
        assert_eq!(
            check("e.pdf", "application/pdf", b""),
            Err(EvidenceRefused::Empty)
        );
        assert_eq!(
            check("..", "text/plain", b"hi"),
            Err(EvidenceRefused::FileName(FileNameProblem::Path))
        );
    }
}
