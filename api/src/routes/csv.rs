//! CSV exports of any size, streamed: the list is read in keyset chunks, each on the blocking
//! pool, and each chunk is sent as soon as it is written. Memory stays at one chunk whatever the
//! list's length; the client sees the first rows at once.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use futures_util::stream;

use crate::db::{Db, DbConn};
use crate::error::{ApiError, AppError, AppResult};

/// Rows per chunk (per database call).
pub const CHUNK: i64 = 1000;

/// One chunk: its records, and the key to continue after (`None`: the list ends here).
pub type Chunk<K> = (Vec<Vec<String>>, Option<K>);

/// A spreadsheet cell that cannot run as a formula when opened (CSV injection).
pub fn safe_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn write(records: &[Vec<String>]) -> AppResult<Bytes> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in records {
        out.write_record(record.iter().map(|v| safe_cell(v)))
            .map_err(AppError::internal)?;
    }
    out.into_inner()
        .map(Bytes::from)
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
}

/// A `text/csv` attachment named `filename`: the `header` row, then the chunks `fetch` returns,
/// starting after `None` and continuing after each chunk's key until it gives none. The caller
/// checks access before (an error once streaming has begun can only cut the download short,
/// which the client sees as an incomplete transfer, never as a complete file).
pub fn stream<K, F>(
    db: Db,
    filename: &str,
    header_row: &[&str],
    fetch: F,
) -> AppResult<HttpResponse>
where
    K: Send + 'static,
    F: Fn(&mut DbConn, Option<K>) -> AppResult<Chunk<K>> + Clone + Send + 'static,
{
    let first = write(&[header_row.iter().map(|h| (*h).to_owned()).collect()])?;
    enum Next<K> {
        Header(Bytes),
        After(Option<K>),
        Done,
    }
    let body = stream::unfold(Next::Header(first), move |next| {
        let db = db.clone();
        let fetch = fetch.clone();
        async move {
            let after = match next {
                Next::Header(bytes) => return Some((Ok(bytes), Next::After(None))),
                Next::After(after) => after,
                Next::Done => return None,
            };
            let chunk = db.run(move |conn| fetch(conn, after)).await;
            Some(
                match chunk.and_then(|(records, next)| Ok((write(&records)?, next))) {
                    Ok((bytes, Some(key))) => (Ok(bytes), Next::After(Some(key))),
                    Ok((bytes, None)) => (Ok(bytes), Next::Done),
                    Err(e) => {
                        tracing::error!(error = %e, "CSV export cut short");
                        (Err(actix_web::Error::from(ApiError(e))), Next::Done)
                    }
                },
            )
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body))
}

/// The key to continue after a chunk of `rows` fetched with [`CHUNK`]: the last row's, when the
/// chunk was full.
pub fn next_key<T, K>(rows: &[T], key: impl Fn(&T) -> K) -> Option<K> {
    rows.last().filter(|_| rows.len() as i64 == CHUNK).map(key)
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn cells_that_a_spreadsheet_would_run_as_formulas_are_defused() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+31 20 123"), "'+31 20 123");
        assert_eq!(safe_cell("jane@example.com"), "jane@example.com");
    }
}
