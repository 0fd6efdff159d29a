//! Reads `.pyc` files written by CPython 3.11 (the 16-byte header, then a marshalled code
//! object) and decodes the two tables inside code objects: the location table
//! (`co_linetable`, PEP 626/657) and the exception table (`co_exceptiontable`).

use std::fmt;
use std::rc::Rc;

use crate::marshal::{CodeObject, MarshalError, Obj, Reader};

/// The magic number of CPython 3.11's final releases (`importlib.util.MAGIC_NUMBER`).
pub const MAGIC_3_11: u16 = 3495;

/// The first four bytes of a 3.11 `.pyc`: the magic number, little-endian, then `\r\n`.
pub const MAGIC_BYTES: [u8; 4] = [0xa7, 0x0d, 0x0d, 0x0a];

/// The length of the header before the marshalled code object.
pub const HEADER_LEN: usize = 16;

/// Flags bit: the `.pyc` is checked against a hash of the source, not its timestamp.
pub const FLAG_HASH_BASED: u32 = 0b01;

/// Flags bit: a hash-based `.pyc` should be checked against the source when imported.
pub const FLAG_CHECK_SOURCE: u32 = 0b10;

/// How CPython decides whether a `.pyc` is still up to date with its source (PEP 552).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidation {
    /// The source's modification time and size when it was compiled.
    Timestamp {
        /// The modification time, seconds since the epoch, truncated to 32 bits.
        mtime: u32,
        /// The source size in bytes, truncated to 32 bits.
        source_size: u32,
    },
    /// A SipHash of the source bytes (`importlib.util.source_hash`).
    Hash {
        /// Whether the importer should compare the hash with the source.
        check_source: bool,
        /// The hash.
        source_hash: [u8; 8],
    },
}

/// The 16-byte header of a `.pyc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PycHeader {
    /// The magic number (3495 for 3.11).
    pub magic: u16,
    /// The raw flags word.
    pub flags: u32,
    /// What the last eight bytes mean under these flags.
    pub invalidation: Invalidation,
}

/// A parsed `.pyc`: its header and its module code object.
#[derive(Clone, Debug, PartialEq)]
pub struct Pyc {
    /// The header.
    pub header: PycHeader,
    /// The module's code object.
    pub code: Rc<CodeObject>,
}

/// Why bytes are not a usable 3.11 `.pyc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PycError {
    /// Fewer bytes than the header needs.
    TooShort {
        /// The length of the input.
        len: usize,
    },
    /// The first four bytes do not end in `\r\n`, so this is not a `.pyc` at all.
    NotPyc {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// A `.pyc` for another Python version.
    WrongMagic {
        /// The magic number found.
        magic: u16,
        /// The Python version it belongs to, if known.
        version: Option<&'static str>,
    },
    /// The flags word has bits other than the two PEP 552 defines.
    BadFlags(u32),
    /// The marshalled data is malformed; offsets count from the start of the file.
    Marshal(MarshalError),
    /// The marshalled object is not a code object.
    NotCode {
        /// The Python type that was found.
        type_name: &'static str,
    },
}

impl fmt::Display for PycError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PycError::TooShort { len } => write!(
                f,
                "file is too short for a .pyc ({len} bytes, the header alone is {HEADER_LEN})"
            ),
            PycError::NotPyc { found } => write!(
                f,
                "not a .pyc file (it starts with {:02x} {:02x} {:02x} {:02x}, not a magic number \
                 and \\r\\n)",
                found[0], found[1], found[2], found[3]
            ),
            PycError::WrongMagic { magic, version } => {
                write!(f, "bad magic number {magic}")?;
                match version {
                    Some(v) => write!(f, " (Python {v})")?,
                    None => write!(f, " (not a Python version this reader knows)")?,
                }
                write!(
                    f,
                    ": this reader needs a CPython 3.11 .pyc (magic {MAGIC_3_11})"
                )
            }
            PycError::BadFlags(flags) => {
                write!(
                    f,
                    "invalid .pyc flags {flags:#x} (only bits 0 and 1 are defined)"
                )
            }
            PycError::Marshal(e) => write!(f, "{e}"),
            PycError::NotCode { type_name } => {
                write!(f, "the .pyc holds a {type_name}, not a code object")
            }
        }
    }
}

impl std::error::Error for PycError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PycError::Marshal(e) => Some(e),
            _ => None,
        }
    }
}

impl From<MarshalError> for PycError {
    fn from(e: MarshalError) -> Self {
        PycError::Marshal(e)
    }
}

/// Names the Python version a magic number belongs to, from the ranges that
/// `importlib/_bootstrap_external.py` assigns to each release.
pub fn python_version_for_magic(magic: u16) -> Option<&'static str> {
    let version = match magic {
        20121 => "1.5",
        50428 => "1.6",
        50823 => "2.0",
        60202 => "2.1",
        60717 => "2.2",
        62011 | 62021 => "2.3",
        62041..=62061 => "2.4",
        62071..=62131 => "2.5",
        62151..=62161 => "2.6",
        62171..=62211 => "2.7",
        3000..=3131 => "3.0",
        3141..=3151 => "3.1",
        3160..=3180 => "3.2",
        3190..=3230 => "3.3",
        3250..=3310 => "3.4",
        3320..=3351 => "3.5",
        3360..=3379 => "3.6",
        3390..=3399 => "3.7",
        3400..=3419 => "3.8",
        3420..=3429 => "3.9",
        3430..=3449 => "3.10",
        3450..=3494 => "3.11 (a pre-release)",
        3495..=3499 => "3.11",
        3500..=3549 => "3.12",
        3550..=3599 => "3.13",
        3600..=3649 => "3.14",
        _ => return None,
    };
    Some(version)
}

/// Reads and checks the 16-byte header.
pub fn read_header(bytes: &[u8]) -> Result<PycHeader, PycError> {
    let Some(header) = bytes.first_chunk::<HEADER_LEN>() else {
        return Err(PycError::TooShort { len: bytes.len() });
    };
    let word =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let found = [header[0], header[1], header[2], header[3]];
    if found[2..] != *b"\r\n" {
        return Err(PycError::NotPyc { found });
    }
    let magic = u16::from_le_bytes([found[0], found[1]]);
    if magic != MAGIC_3_11 {
        return Err(PycError::WrongMagic {
            magic,
            version: python_version_for_magic(magic),
        });
    }
    let flags = word(4);
    if flags & !(FLAG_HASH_BASED | FLAG_CHECK_SOURCE) != 0 {
        return Err(PycError::BadFlags(flags));
    }
    let invalidation = if flags & FLAG_HASH_BASED != 0 {
        let mut source_hash = [0u8; 8];
        source_hash.copy_from_slice(&header[8..16]);
        Invalidation::Hash {
            check_source: flags & FLAG_CHECK_SOURCE != 0,
            source_hash,
        }
    } else {
        Invalidation::Timestamp {
            mtime: word(8),
            source_size: word(12),
        }
    };
    Ok(PycHeader {
        magic,
        flags,
        invalidation,
    })
}

/// Reads a whole 3.11 `.pyc`. Bytes after the code object are ignored, as CPython does.
pub fn read_pyc(bytes: &[u8]) -> Result<Pyc, PycError> {
    let header = read_header(bytes)?;
    let obj = Reader::at(bytes, HEADER_LEN).read_object()?;
    match obj {
        Obj::Code(code) => Ok(Pyc { header, code }),
        other => Err(PycError::NotCode {
            type_name: other.type_name(),
        }),
    }
}

/// The source location of one code unit, as `co_positions()` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The first source line, 1-based.
    pub line: Option<i32>,
    /// The last source line.
    pub end_line: Option<i32>,
    /// The first column, a 0-based UTF-8 byte offset.
    pub col: Option<i32>,
    /// The column after the last, a 0-based UTF-8 byte offset.
    pub end_col: Option<i32>,
}

/// One entry of `co_exceptiontable`, in code units (not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionTableEntry {
    /// The first code unit covered.
    pub start: u32,
    /// The code unit after the last one covered.
    pub end: u32,
    /// Where the handler starts.
    pub target: u32,
    /// The value stack depth to unwind to before jumping to the handler.
    pub depth: u32,
    /// Whether the offset of the raising instruction is pushed before the exception.
    pub lasti: bool,
}

/// A malformed `co_linetable` or `co_exceptiontable`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    /// Which table: `co_linetable` or `co_exceptiontable`.
    pub table: &'static str,
    /// The byte offset in that table.
    pub offset: usize,
    /// What was wrong.
    pub message: &'static str,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed {} at byte {}: {}",
            self.table, self.offset, self.message
        )
    }
}

impl std::error::Error for TableError {}

impl CodeObject {
    /// The source location of every code unit, decoded from `co_linetable`.
    ///
    /// The result has one entry per code unit; units the table does not cover have no
    /// location, and table entries past the end of the code are ignored. Values agree with
    /// `list(code.co_positions())` in CPython 3.11.
    pub fn line_table(&self) -> Result<Vec<Position>, TableError> {
        let units = self.code_units();
        let mut out = Vec::with_capacity(units);
        let mut table = TableCursor::new("co_linetable", &self.linetable);
        let mut line = i64::from(self.firstlineno);
        while !table.at_end() && out.len() < units {
            let entry_start = table.pos;
            let first = table.byte()?;
            if first & 0x80 == 0 {
                return Err(table.error_at(entry_start, "an entry does not start with bit 7 set"));
            }
            let code = (first >> 3) & 15;
            let length = usize::from(first & 7) + 1;
            let pos = match code {
                15 => Position::default(),
                14 => {
                    line = line.saturating_add(table.signed_varint_le()?);
                    let end_line = line.saturating_add(i64::from(table.varint_le()?));
                    let col = i64::from(table.varint_le()?) - 1;
                    let end_col = i64::from(table.varint_le()?) - 1;
                    table.position(entry_start, line, end_line, col, end_col)?
                }
                13 => {
                    line = line.saturating_add(table.signed_varint_le()?);
                    table.position(entry_start, line, line, -1, -1)?
                }
                10..=12 => {
                    line += i64::from(code - 10);
                    let col = i64::from(table.byte()?);
                    let end_col = i64::from(table.byte()?);
                    table.position(entry_start, line, line, col, end_col)?
                }
                _ => {
                    let second_at = table.pos;
                    let second = table.byte()?;
                    if second & 0x80 != 0 {
                        return Err(table.error_at(second_at, "a short-form entry is cut short"));
                    }
                    let col = i64::from(code) << 3 | i64::from(second >> 4);
                    let end_col = col + i64::from(second & 15);
                    table.position(entry_start, line, line, col, end_col)?
                }
            };
            let take = length.min(units - out.len());
            out.extend(std::iter::repeat_n(pos, take));
        }
        out.resize(units, Position::default());
        Ok(out)
    }

    /// The source line of code unit `unit`, for error messages; `None` if it has none or the
    /// table is malformed.
    pub fn line_of(&self, unit: usize) -> Option<i32> {
        self.line_table().ok()?.get(unit)?.line
    }

    /// The entries of `co_exceptiontable`, in table order.
    ///
    /// The values agree with `dis._parse_exception_table(code)` divided by two: this reader
    /// counts code units where `dis` counts bytes.
    pub fn exception_table(&self) -> Result<Vec<ExceptionTableEntry>, TableError> {
        let mut out = Vec::new();
        let mut table = TableCursor::new("co_exceptiontable", &self.exceptiontable);
        while !table.at_end() {
            let entry_start = table.pos;
            let start = table.varint_be(true)?;
            let length = table.varint_be(false)?;
            let target = table.varint_be(false)?;
            let depth_lasti = table.varint_be(false)?;
            let end = start
                .checked_add(length)
                .ok_or_else(|| table.error_at(entry_start, "the covered range overflows"))?;
            out.push(ExceptionTableEntry {
                start,
                end,
                target,
                depth: depth_lasti >> 1,
                lasti: depth_lasti & 1 != 0,
            });
        }
        Ok(out)
    }
}

/// Reads the byte-oriented encodings of the location and exception tables.
struct TableCursor<'a> {
    table: &'static str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> TableCursor<'a> {
    fn new(table: &'static str, bytes: &'a [u8]) -> Self {
        TableCursor {
            table,
            bytes,
            pos: 0,
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn error_at(&self, offset: usize, message: &'static str) -> TableError {
        TableError {
            table: self.table,
            offset,
            message,
        }
    }

    fn byte(&mut self) -> Result<u8, TableError> {
        match self.bytes.get(self.pos) {
            Some(b) => {
                self.pos += 1;
                Ok(*b)
            }
            None => Err(self.error_at(self.pos, "the table ends inside an entry")),
        }
    }

    /// Reads the location table's varint: 6-bit chunks, least significant first, bit 6 set
    /// on every chunk but the last.
    fn varint_le(&mut self) -> Result<u32, TableError> {
        let start = self.pos;
        let mut read = self.byte()?;
        let mut value = u64::from(read & 63);
        let mut shift = 0;
        while read & 64 != 0 {
            read = self.byte()?;
            shift += 6;
            // CPython reads into a 32-bit int, so anything longer is corrupt, not just large.
            if shift > 30 {
                return Err(self.error_at(start, "a varint is longer than 32 bits"));
            }
            value |= u64::from(read & 63) << shift;
        }
        u32::try_from(value).map_err(|_| self.error_at(start, "a varint is longer than 32 bits"))
    }

    /// Reads the location table's signed varint: the sign in the lowest bit.
    fn signed_varint_le(&mut self) -> Result<i64, TableError> {
        let raw = self.varint_le()?;
        let magnitude = i64::from(raw >> 1);
        Ok(if raw & 1 != 0 { -magnitude } else { magnitude })
    }

    /// Reads the exception table's varint: 6-bit chunks, most significant first, bit 6 set
    /// on every chunk but the last, and bit 7 set on the first byte of each entry only.
    fn varint_be(&mut self, entry_start: bool) -> Result<u32, TableError> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut chunks = 0;
        loop {
            let at = self.pos;
            let b = self.byte()?;
            let marks_entry = at == start && entry_start;
            if (b & 0x80 != 0) != marks_entry {
                let message = if marks_entry {
                    "an entry does not start with bit 7 set"
                } else {
                    "bit 7 is set inside an entry"
                };
                return Err(self.error_at(at, message));
            }
            chunks += 1;
            if chunks > 6 {
                return Err(self.error_at(start, "a varint is longer than 32 bits"));
            }
            value = (value << 6) | u64::from(b & 63);
            if b & 64 == 0 {
                break;
            }
        }
        u32::try_from(value).map_err(|_| self.error_at(start, "a varint is longer than 32 bits"))
    }

    /// Converts decoded values to a position, mapping CPython's "unknown" value -1 to `None`.
    fn position(
        &self,
        entry_start: usize,
        line: i64,
        end_line: i64,
        col: i64,
        end_col: i64,
    ) -> Result<Position, TableError> {
        let conv = |v: i64| -> Result<Option<i32>, TableError> {
            if v == -1 {
                return Ok(None);
            }
            i32::try_from(v)
                .map(Some)
                .map_err(|_| self.error_at(entry_start, "a line or column number overflows"))
        };
        Ok(Position {
            line: conv(line)?,
            end_line: conv(end_line)?,
            col: conv(col)?,
            end_col: conv(end_col)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn code_with_tables(linetable: &[u8], exceptiontable: &[u8], units: usize) -> CodeObject {
        CodeObject {
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            stacksize: 0,
            flags: 0,
            code: vec![0; units * 2].into(),
            consts: Vec::new().into(),
            names: Vec::new().into(),
            localsplusnames: Vec::new().into(),
            localspluskinds: Vec::new().into(),
            filename: "f".into(),
            name: "n".into(),
            qualname: "n".into(),
            firstlineno: 10,
            linetable: linetable.into(),
            exceptiontable: exceptiontable.into(),
        }
    }

    #[test]
    fn line_table_forms() {
        // Short form code 0, 2 units, column 3..5; one-line form +1 line, 1 unit, columns 4..9;
        // no-column form -2 lines (svarint 5); no-location form; long form.
        let table = [
            0x80 | 1,
            0x32,
            0x80 | (11 << 3),
            4,
            9,
            0x80 | (13 << 3),
            5,
            0x80 | (15 << 3),
            0x80 | (14 << 3),
            2,
            3,
            0,
            7,
        ];
        let code = code_with_tables(&table, &[], 7);
        let p = code.line_table().unwrap();
        let at = |line, end_line, col, end_col| Position {
            line,
            end_line,
            col,
            end_col,
        };
        assert_eq!(p[0], at(Some(10), Some(10), Some(3), Some(5)));
        assert_eq!(p[1], p[0]);
        assert_eq!(p[2], at(Some(11), Some(11), Some(4), Some(9)));
        assert_eq!(p[3], at(Some(9), Some(9), None, None));
        assert_eq!(p[4], Position::default());
        assert_eq!(p[5], at(Some(10), Some(13), None, Some(6)));
        assert_eq!(p[6], Position::default());
        assert!(code_with_tables(&[0x80], &[], 1).line_table().is_err());
        assert!(code_with_tables(&[0x01, 0x00], &[], 1)
            .line_table()
            .is_err());
    }

    #[test]
    fn exception_table_entries() {
        // start 2, length 3, target 65 (two chunks: 1, 1), depth 1 with lasti.
        let table = [0x80 | 2, 3, 0x40 | 1, 1, 3];
        let code = code_with_tables(&[], &table, 0);
        let entries = code.exception_table().unwrap();
        let want = ExceptionTableEntry {
            start: 2,
            end: 5,
            target: 65,
            depth: 1,
            lasti: true,
        };
        assert_eq!(entries, vec![want]);
        assert!(code_with_tables(&[], &[0x80 | 2, 3], 0)
            .exception_table()
            .is_err());
        assert!(code_with_tables(&[], &[2, 3, 4, 5], 0)
            .exception_table()
            .is_err());
    }

    fn header(magic: [u8; 4], flags: u32) -> Vec<u8> {
        let mut h = magic.to_vec();
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        h
    }

    #[test]
    fn wrong_magic_names_the_version() {
        let h = header([0xcb, 0x0d, 0x0d, 0x0a], 0);
        let err = read_header(&h).unwrap_err();
        assert_eq!(
            err,
            PycError::WrongMagic {
                magic: 3531,
                version: Some("3.12")
            }
        );
        let text = err.to_string();
        assert!(text.contains("3.12") && text.contains("3495"), "{text}");
        let h = header([0x6f, 0x0d, 0x0d, 0x0a], 0);
        assert!(read_header(&h).unwrap_err().to_string().contains("3.10"));
    }

    #[test]
    fn header_forms() {
        let h = read_header(&header(MAGIC_BYTES, 0)).unwrap();
        let ts = Invalidation::Timestamp {
            mtime: 0x0403_0201,
            source_size: 0x0807_0605,
        };
        assert_eq!(h.invalidation, ts);
        let h = read_header(&header(MAGIC_BYTES, 3)).unwrap();
        let hash = Invalidation::Hash {
            check_source: true,
            source_hash: [1, 2, 3, 4, 5, 6, 7, 8],
        };
        assert_eq!(h.invalidation, hash);
        assert_eq!(
            read_header(&header(MAGIC_BYTES, 4)),
            Err(PycError::BadFlags(4))
        );
        assert_eq!(
            read_header(&MAGIC_BYTES),
            Err(PycError::TooShort { len: 4 })
        );
        assert!(matches!(
            read_header(&header(*b"\x7fELF", 0)),
            Err(PycError::NotPyc { .. })
        ));
    }

    #[test]
    fn marshal_offsets_count_from_file_start() {
        let mut bytes = header(MAGIC_BYTES, 0);
        bytes.push(b'Q');
        match read_pyc(&bytes) {
            Err(PycError::Marshal(e)) => assert_eq!(e.offset, HEADER_LEN),
            other => panic!("unexpected {other:?}"),
        }
        let mut bytes = header(MAGIC_BYTES, 0);
        bytes.push(b'N');
        assert_eq!(
            read_pyc(&bytes),
            Err(PycError::NotCode {
                type_name: "NoneType"
            })
        );
    }
}
