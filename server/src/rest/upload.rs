//! Streaming a request body (raw or one multipart file part) to a temp file, bounded.
use std::io::Write as _;

use app::error::AppError;
use axum::{
    body::{Body, HttpBody as _},
    extract::multipart::Field,
};

/// The uploaded file on disk, deleted when dropped.
pub(crate) struct Spooled {
    /// The temp file, rewound for reading.
    pub file: std::fs::File,
    /// Bytes written.
    pub bytes: u64,
    /// Deletes the file when dropped.
    pub temp: tempfile::TempPath,
}

/// Where bytes go while they arrive.
struct Spooler {
    file: tempfile::NamedTempFile,
    bytes: u64,
    limit: u64,
}

impl Spooler {
    fn new(limit: u64) -> Result<Spooler, AppError> {
        let file = tempfile::NamedTempFile::new()
            .map_err(|e| internal("cannot create a temp file for the upload", &e))?;
        Ok(Spooler {
            file,
            bytes: 0,
            limit,
        })
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.limit {
            return Err(too_large(self.limit));
        }
        self.file
            .write_all(chunk)
            .map_err(|e| internal("cannot write the upload to disk", &e))
    }

    fn finish(self) -> Result<Spooled, AppError> {
        let (file, temp) = self.file.into_parts();
        let mut file = file;
        use std::io::Seek as _;
        file.flush()
            .map_err(|e| internal("cannot write the upload to disk", &e))?;
        file.rewind()
            .map_err(|e| internal("cannot read the upload back", &e))?;
        Ok(Spooled {
            file,
            bytes: self.bytes,
            temp,
        })
    }
}

fn internal(what: &str, err: &dyn std::fmt::Display) -> AppError {
    AppError::Internal(app::ssr::log_internal(&format!("{what}: {err}")))
}

/// The error for an upload over the limit.
pub(crate) fn too_large(limit: u64) -> AppError {
    AppError::invalid(
        "file",
        format!("the upload is larger than the limit of {limit} bytes (REDRESS_MAX_IMPORT_BYTES)"),
    )
}

/// Streams a raw request body to a temp file.
pub(crate) async fn spool_body(mut body: Body, limit: u64) -> Result<Spooled, AppError> {
    let mut spooler = Spooler::new(limit)?;
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame =
            frame.map_err(|e| AppError::Transport(format!("the upload was interrupted: {e}")))?;
        if let Ok(data) = frame.into_data() {
            spooler.write(&data)?;
        }
    }
    spooler.finish()
}

/// Streams one multipart field to a temp file.
pub(crate) async fn spool_field(mut field: Field<'_>, limit: u64) -> Result<Spooled, AppError> {
    let mut spooler = Spooler::new(limit)?;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| multipart_error(&e, limit))?
    {
        spooler.write(&chunk)?;
    }
    spooler.finish()
}

/// A multipart error as the user should see it.
pub(crate) fn multipart_error(
    e: &axum::extract::multipart::MultipartError,
    limit: u64,
) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        AppError::invalid(
            "file",
            format!("the multipart upload could not be read: {}", e.body_text()),
        )
    }
}

/// A file name safe to show and store: the last path component, printable, at most 200 characters.
pub(crate) fn clean_file_name(name: Option<&str>) -> String {
    let name = name.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() {
        "upload".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_and_within_it_kept() {
        let err = spool_body(Body::from(vec![b'x'; 101]), 100)
            .await
            .err()
            .unwrap();
        assert!(err.to_string().contains("limit of 100 bytes"), "{err}");
        assert_eq!(err.status(), 422);
        let mut ok = spool_body(Body::from(vec![b'x'; 100]), 100).await.unwrap();
        assert_eq!(ok.bytes, 100);
        let mut back = String::new();
        std::io::Read::read_to_string(&mut ok.file, &mut back).unwrap();
        assert_eq!(back.len(), 100, "rewound for reading");
    }

    #[test]
    fn file_names_lose_their_directories_and_control_characters() {
        assert_eq!(clean_file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_file_name(Some("C:\\scans\\hub.json")), "hub.json");
        assert_eq!(clean_file_name(Some("a\nb.json")), "ab.json");
        assert_eq!(clean_file_name(None), "upload");
        assert_eq!(clean_file_name(Some(&"x".repeat(500))).len(), 200);
    }
}
