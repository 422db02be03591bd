//! Attachments on PostgreSQL: the SQLite board's
//! [`super::super::attachments`], with the files in a `BYTEA` column and
//! the same rule for who reads them (that of their post).

use sha2::{Digest, Sha256};
use tsunagi_core::rfc3339::Timestamp;

use super::super::attachments::{
    AttachmentId, AttachmentMeta, FileKind, MAX_FILES_PER_POST, PreparedAttachment,
};
use super::super::audit::Action;
use super::super::model::{NewPost, PostId, Viewer};
use super::super::store::BoardError;
use super::super::visibility::readable_condition_pg;
use super::PgBoard;
use super::posts::{Params, borrowed, boxed, locked_post, record, time};

/// The columns an [`AttachmentMeta`] is read from, on `board_attachments a`.
const META_COLUMNS: &str = "a.id, a.post_id, a.file_name, a.content_type, a.size, a.sha256, \
     a.created_at";

impl PgBoard {
    /// [`super::super::BoardStore::create_post_with_attachments`].
    pub(super) fn create_post_with_attachments(
        &mut self,
        author: &Viewer,
        post: &NewPost,
        files: Vec<PreparedAttachment>,
    ) -> Result<PostId, BoardError> {
        if files.len() > MAX_FILES_PER_POST {
            return Err(BoardError::TooManyFiles);
        }
        let id = self.create_post(author, post)?;
        if files.is_empty() {
            return Ok(id);
        }
        if let Err(e) = self.attach_prepared(author, id, files) {
            if self.delete_post(author, id).is_err() {
                eprintln!("tsunagi-centre: a post whose files were not stored stays");
            }
            return Err(e);
        }
        Ok(id)
    }

    /// Stores `files` on the post `post`, all or none, one audit entry
    /// each.
    fn attach_prepared(
        &mut self,
        author: &Viewer,
        post: PostId,
        files: Vec<PreparedAttachment>,
    ) -> Result<(), BoardError> {
        let mut tx = self.client.transaction()?;
        let found = locked_post(&mut tx, author, post)?.ok_or(BoardError::NoSuchPost)?;
        if found.deleted {
            return Err(BoardError::NoSuchPost);
        }
        if found.author != *author.login() {
            return Err(BoardError::NotAuthor);
        }
        let already: i64 = tx
            .query_one(
                "SELECT count(*) FROM board_attachments WHERE post_id = $1",
                &[&post.0],
            )?
            .try_get(0)?;
        let already = usize::try_from(already).map_err(|_| BoardError::Damaged)?;
        if already + files.len() > MAX_FILES_PER_POST {
            return Err(BoardError::TooManyFiles);
        }
        let now = Timestamp::now().to_string();
        for file in files {
            let sha256 = hex::encode(Sha256::digest(file.data()));
            let size = i64::try_from(file.data().len()).map_err(|_| BoardError::FileTooLarge)?;
            let id: i64 = tx
                .query_one(
                    "INSERT INTO board_attachments
                         (post_id, file_name, content_type, size, sha256, data, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[
                        &post.0,
                        &file.file_name(),
                        &file.kind().content_type(),
                        &size,
                        &sha256,
                        &file.data(),
                        &now,
                    ],
                )?
                .try_get(0)?;
            record(
                &mut tx,
                author.login(),
                Action::Attached,
                Some(post),
                None,
                Some(&format!("{id} {}", file.kind().content_type())),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// [`super::super::BoardStore::attachments`].
    pub(super) fn attachments(
        &mut self,
        viewer: &Viewer,
        post: PostId,
    ) -> Result<Vec<AttachmentMeta>, BoardError> {
        let condition = readable_condition_pg(viewer, 2);
        let sql = format!(
            "SELECT {META_COLUMNS} FROM board_attachments a JOIN board_posts p ON p.id = a.post_id
             WHERE a.post_id = $1 AND {} ORDER BY a.id",
            condition.sql
        );
        let mut params: Params = vec![Box::new(post.0)];
        params.extend(boxed(condition.params));
        let rows = self.client.query(&sql, &borrowed(&params))?;
        rows.iter().map(meta_from_row).collect()
    }

    /// [`super::super::BoardStore::attachment`].
    pub(super) fn attachment(
        &mut self,
        viewer: &Viewer,
        id: AttachmentId,
    ) -> Result<Option<(AttachmentMeta, Vec<u8>)>, BoardError> {
        let condition = readable_condition_pg(viewer, 2);
        let sql = format!(
            "SELECT {META_COLUMNS}, a.data FROM board_attachments a
             JOIN board_posts p ON p.id = a.post_id WHERE a.id = $1 AND {}",
            condition.sql
        );
        let mut params: Params = vec![Box::new(id.0)];
        params.extend(boxed(condition.params));
        let rows = self.client.query(&sql, &borrowed(&params))?;
        match rows.first() {
            Some(row) => Ok(Some((meta_from_row(row)?, row.try_get(7)?))),
            None => Ok(None),
        }
    }
}

/// The file in a row of [`META_COLUMNS`].
fn meta_from_row(row: &postgres::Row) -> Result<AttachmentMeta, BoardError> {
    let kind = FileKind::from_content_type(row.try_get(3)?).ok_or(BoardError::Damaged)?;
    let size: i64 = row.try_get(4)?;
    Ok(AttachmentMeta {
        id: AttachmentId(row.try_get(0)?),
        post: PostId(row.try_get(1)?),
        file_name: row.try_get(2)?,
        kind,
        size: u64::try_from(size).map_err(|_| BoardError::Damaged)?,
        sha256: row.try_get(5)?,
        created_at: time(row.try_get(6)?)?,
    })
}
