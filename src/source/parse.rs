use super::files::{SourceFile, char_to_byte, line_col};
use crate::error::{Error, Result};
use std::ffi::{CStr, CString, c_char, c_int};

// The safe pg_query API drops the error's cursor position, which is what lets a syntax
// error name its line and column. These are libpg_query's own declarations (pg_query.h);
// the library is linked in by the pg_query crate.
#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryParseResult {
    parse_tree: *mut c_char,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

unsafe extern "C" {
    fn pg_query_parse(input: *const c_char) -> PgQueryParseResult;
    fn pg_query_free_parse_result(result: PgQueryParseResult);
}

/// The message and 1-based character position of a parse error, if the text has one.
fn error_position(text: &str) -> Option<(String, usize)> {
    let input = CString::new(text).ok()?;
    // SAFETY: the input is a valid NUL-terminated string; the result is freed below and
    // nothing borrowed from it outlives this block.
    unsafe {
        let result = pg_query_parse(input.as_ptr());
        let found = if result.error.is_null() {
            None
        } else {
            let e = &*result.error;
            let message = CStr::from_ptr(e.message).to_string_lossy().into_owned();
            Some((message, e.cursorpos.max(0) as usize))
        };
        pg_query_free_parse_result(result);
        found
    }
}

/// Parses a whole file; a syntax error is reported as `path:line:column`.
pub fn parse_file(file: &SourceFile) -> Result<pg_query::ParseResult> {
    if file.text.contains('\0') {
        return Err(Error::Syntax {
            path: file.path.clone(),
            line: 1,
            column: 1,
            message: "the file contains a NUL byte".into(),
        });
    }
    pg_query::parse(&file.text, 0).map_err(|e| {
        let (message, pos) = error_position(&file.text).unwrap_or_else(|| (e.to_string(), 0));
        let byte = if pos == 0 {
            0
        } else {
            char_to_byte(&file.text, pos)
        };
        let (line, column) = line_col(&file.text, byte);
        Error::Syntax {
            path: file.path.clone(),
            line,
            column,
            message,
        }
    })
}

/// A file's statements, each parsed on its own: (the statement's offset in the file, its
/// length, its parse tree, whose locations are relative to that offset). Parsing statement by
/// statement keeps one small tree alive at a time instead of the whole file's (which, for
/// a 10,000-table file, is most of a gigabyte).
pub fn parse_statements(
    file: &SourceFile,
) -> Result<impl Iterator<Item = Result<(usize, usize, pg_query::ParseResult)>> + '_> {
    let pieces = match pg_query::split_with_parser(&file.text) {
        Ok(p) => p,
        // The whole-file parse names the error's line and column.
        Err(e) => {
            parse_file(file)?;
            return Err(Error::Syntax {
                path: file.path.clone(),
                line: 1,
                column: 1,
                message: e.to_string(),
            });
        }
    };
    let base = file.text.as_ptr() as usize;
    Ok(pieces.into_iter().map(move |piece| {
        let offset = piece.as_ptr() as usize - base;
        pg_query::parse(piece, 0)
            .map(|tree| (offset, piece.len(), tree))
            .map_err(|e| {
                let (line, column) = line_col(&file.text, offset);
                Error::Syntax {
                    path: file.path.clone(),
                    line,
                    column,
                    message: e.to_string(),
                }
            })
    }))
}
