//! Teams, CODEOWNERS resolution, repositories with roots and states, and index summaries.
use redress_store::{
    NewRepository, NewRootState, NewToken, RepositorySource, SecretKey, StoreError, testing,
};
use redress_types::{Assignee, AuditQuery, RepositoryKind, Role, RootState};
use sea_orm::ConnectionTrait as _;

use crate::support::{local_repo, raw, user};

#[tokio::test]
async fn teams_have_members_and_code_owners_resolve_to_teams_or_users() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let admin = user(store, "admin@example.com", Role::Admin).await;
        let alice = user(store, "alice@example.com", Role::Developer).await;
        let a_lice = user(store, "a_lice@example.com", Role::Developer).await;
        let platform = store.create_team(&admin, "platform").await.unwrap();
        assert!(matches!(
            store.create_team(&admin, "platform").await,
            Err(StoreError::Conflict(_))
        ));
        store
            .add_team_member(&admin, platform.id, alice.id)
            .await
            .unwrap();
        let team = store
            .add_team_member(&admin, platform.id, alice.id)
            .await
            .unwrap();
        assert_eq!(
            team.member_ids,
            [alice.id],
            "{}: adding twice keeps one membership",
            db.backend
        );
        assert_eq!(store.user_team_ids(alice.id).await.unwrap(), [platform.id]);

        let resolve = |o: &'static str| async move { store.resolve_code_owner(o).await.unwrap() };
        assert_eq!(
            resolve("@acme/platform").await,
            Some(Assignee::Team { id: platform.id })
        );
        assert_eq!(
            resolve("platform").await,
            Some(Assignee::Team { id: platform.id })
        );
        assert_eq!(
            resolve("@group/sub/platform").await,
            Some(Assignee::Team { id: platform.id }),
            "GitLab subgroups"
        );
        assert_eq!(
            resolve("@alice").await,
            Some(Assignee::User { id: alice.id })
        );
        assert_eq!(
            resolve("Alice@Example.com").await,
            Some(Assignee::User { id: alice.id })
        );
        assert_eq!(
            resolve("@a_lice").await,
            Some(Assignee::User { id: a_lice.id }),
            "`_` is not a wildcard"
        );
        assert_eq!(resolve("@acme/nobody").await, None);
        assert_eq!(resolve("@ghost").await, None);

        let team = store
            .remove_team_member(&admin, platform.id, alice.id)
            .await
            .unwrap();
        assert!(team.member_ids.is_empty());
        assert!(matches!(
            store
                .remove_team_member(&admin, platform.id, alice.id)
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let teams = store.list_teams().await.unwrap();
        assert_eq!(teams.len(), 1);
    }
}

#[tokio::test]
async fn remotes_keep_their_token_out_of_every_read_type() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let admin = user(store, "admin@example.com", Role::Admin).await;
        let key = SecretKey::generate().unwrap();
        let remote = store
            .create_repository(
                &admin,
                NewRepository {
                    name: "acme/infra".into(),
                    source: RepositorySource::Remote {
                        kind: RepositoryKind::Github,
                        remote: "acme/infra.git".into(),
                        token: Some(NewToken {
                            token: "ghp_secret_value".into(),
                            key: key.clone(),
                        }),
                    },
                    default_branch: "trunk".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(remote.remote.as_deref(), Some("acme/infra"));
        assert_eq!(remote.default_branch, "trunk");
        assert!(remote.has_token);
        let shown = serde_json::to_string(&store.list_repositories().await.unwrap()).unwrap();
        assert!(
            !shown.contains("ghp_secret_value"),
            "{}: token leaked: {shown}",
            db.backend
        );
        let audit =
            serde_json::to_string(&store.audit_events(&Default::default()).await.unwrap()).unwrap();
        assert!(
            !audit.contains("ghp_secret_value"),
            "token leaked into the audit log"
        );
        // At rest the column holds the sealed token, not the token.
        let conn = raw(&db).await;
        let column = stored_token(&conn, remote.id).await.unwrap();
        assert!(
            column.starts_with("enc1:") && !column.contains("ghp_secret_value"),
            "{}: stored {column}",
            db.backend
        );
        assert!(!column.contains(&hex::encode("ghp_secret_value")));
        // The fetch path opens it with the server's key, and only with that key.
        assert_eq!(
            store
                .repository_access_token(remote.id, &key)
                .await
                .unwrap()
                .as_deref(),
            Some("ghp_secret_value")
        );
        let other_key = SecretKey::generate().unwrap();
        let err = store
            .repository_access_token(remote.id, &other_key)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("acme/infra")
                && err.to_string().contains("register the token again"),
            "{err}"
        );
        // A sealed token copied to another repository's row does not open there.
        let twin = store
            .create_repository(
                &admin,
                NewRepository {
                    name: "acme/twin".into(),
                    source: RepositorySource::Remote {
                        kind: RepositoryKind::Github,
                        remote: "acme/twin".into(),
                        token: None,
                    },
                    default_branch: String::new(),
                },
            )
            .await
            .unwrap();
        conn.execute_unprepared(&format!(
            "UPDATE repositories SET token = '{column}' WHERE id = {}",
            twin.id
        ))
        .await
        .unwrap();
        assert!(store.repository_access_token(twin.id, &key).await.is_err());
        // A token stored in plain text before sealing is sealed once, audited.
        conn.execute_unprepared(&format!(
            "UPDATE repositories SET token = 'glpat-legacy' WHERE id = {}",
            twin.id
        ))
        .await
        .unwrap();
        assert!(store.has_unsealed_tokens().await.unwrap());
        assert_eq!(store.seal_stored_tokens(&key).await.unwrap(), 1);
        assert!(!store.has_unsealed_tokens().await.unwrap());
        assert_eq!(
            store.seal_stored_tokens(&key).await.unwrap(),
            0,
            "idempotent"
        );
        let column = stored_token(&conn, twin.id).await.unwrap();
        assert!(!column.contains("glpat-legacy"), "{column}");
        assert_eq!(
            store
                .repository_access_token(twin.id, &key)
                .await
                .unwrap()
                .as_deref(),
            Some("glpat-legacy")
        );
        let log = store
            .audit_events(&AuditQuery {
                action: Some("repository.seal_token".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(log.total, 1);

        let bad = |remote: &str| NewRepository {
            name: format!("bad {remote}"),
            source: RepositorySource::Remote {
                kind: RepositoryKind::Gitlab,
                remote: remote.into(),
                token: None,
            },
            default_branch: String::new(),
        };
        for remote in ["justone", "acme/../etc", "acme/in fra", ""] {
            let err = store
                .create_repository(&admin, bad(remote))
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::Invalid {
                        field: "remote",
                        ..
                    }
                ),
                "{remote}: {err}"
            );
        }
        let err = store
            .reindex_repository(Some(&admin), remote.id)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no local checkout"), "{err}");
    }
}

#[tokio::test]
async fn local_repositories_have_roots_with_states_inside_the_repository() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let admin = user(store, "admin@example.com", Role::Admin).await;
        let relative = store
            .create_repository(
                &admin,
                NewRepository {
                    name: "rel".into(),
                    source: RepositorySource::Local {
                        path: "relative/dir".into(),
                    },
                    default_branch: String::new(),
                },
            )
            .await;
        assert!(matches!(
            relative,
            Err(StoreError::Invalid { field: "path", .. })
        ));
        let (repo, _dir) = local_repo(store, &admin, "acme/local").await;
        assert_eq!(
            (repo.kind, repo.default_branch.as_str(), repo.has_token),
            (RepositoryKind::Local, "main", false)
        );
        store
            .add_root_module(
                &admin,
                repo.id,
                "envs/prod",
                NewRootState::Path("envs/prod/terraform.tfstate".into()),
            )
            .await
            .unwrap();
        let repo = store
            .add_root_module(
                &admin,
                repo.id,
                "./envs/dev/",
                NewRootState::Uploaded("{\"version\":4}".into()),
            )
            .await
            .unwrap();
        let roots: Vec<(&str, &RootState)> = repo
            .roots
            .iter()
            .map(|r| (r.path.as_str(), &r.state))
            .collect();
        assert_eq!(
            roots,
            [
                ("envs/dev", &RootState::Uploaded { bytes: 13 }),
                (
                    "envs/prod",
                    &RootState::Path {
                        path: "envs/prod/terraform.tfstate".into()
                    }
                )
            ],
            "{}",
            db.backend
        );
        assert_eq!(
            store
                .root_state_content(repo.roots[0].id)
                .await
                .unwrap()
                .as_deref(),
            Some("{\"version\":4}")
        );
        for escape in ["../outside", "/etc", "envs/../../x"] {
            let err = store
                .add_root_module(&admin, repo.id, escape, NewRootState::None)
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Invalid { field: "path", .. }),
                "{escape}: {err}"
            );
        }
        let err = store
            .set_root_state(
                &admin,
                repo.roots[0].id,
                NewRootState::Path("../../secrets.tfstate".into()),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "state_path",
                    ..
                }
            ),
            "{err}"
        );
        let dup = store
            .add_root_module(&admin, repo.id, "envs/dev", NewRootState::None)
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))));
        let repo = store
            .set_root_state(&admin, repo.roots[0].id, NewRootState::None)
            .await
            .unwrap();
        assert_eq!(repo.roots[0].state, RootState::None);
    }
}

#[tokio::test]
async fn reindex_stores_counts_and_parse_errors_with_file_and_line() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let admin = user(store, "admin@example.com", Role::Admin).await;
        let (repo, dir) = local_repo(store, &admin, "acme/tf").await;
        std::fs::write(
            dir.path().join("main.tf"),
            "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {}\n\nmodule \"net\" {\n  source = \"./modules/net\"\n}\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("modules/net")).unwrap();
        std::fs::write(
            dir.path().join("modules/net/broken.tf"),
            "resource \"aws_vpc\" \"x\" {\n  cidr_block = \n}\n",
        )
        .unwrap();

        let summary = store
            .reindex_repository(Some(&admin), repo.id)
            .await
            .unwrap();
        assert_eq!(
            (summary.files, summary.modules),
            (2, 1),
            "{}: {summary:?}",
            db.backend
        );
        assert!(summary.resources >= 2, "{summary:?}");
        assert!(summary.error_count >= 1, "{summary:?}");
        let first = &summary.errors[0];
        assert_eq!(first.file, "modules/net/broken.tf");
        assert!((2..=3).contains(&first.line), "{first:?}");
        assert!(summary.failure.is_none());

        let shown = store.repository(repo.id).await.unwrap();
        assert_eq!(shown.last_index.as_ref(), Some(&summary));
        let errors = store.repository_index_errors(repo.id, 1, 10).await.unwrap();
        assert_eq!(errors.total, summary.error_count);

        // Fixing the file and re-indexing replaces the errors.
        std::fs::write(
            dir.path().join("modules/net/broken.tf"),
            "resource \"aws_vpc\" \"x\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
        )
        .unwrap();
        let summary = store.reindex_repository(None, repo.id).await.unwrap();
        assert_eq!(
            (summary.error_count, summary.resources),
            (0, 3),
            "{summary:?}"
        );
        assert_eq!(
            store
                .repository_index_errors(repo.id, 1, 10)
                .await
                .unwrap()
                .total,
            0
        );
        let log = store
            .audit_events(&redress_types::AuditQuery {
                action: Some("repository.reindex".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(log.total, 2);
        assert_eq!(log.items[0].actor, "system");
    }
}

/// The raw `token` column of repository `id`.
async fn stored_token(conn: &sea_orm::DatabaseConnection, id: i64) -> Option<String> {
    use sea_orm::{ConnectionTrait as _, Statement};
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT token FROM repositories WHERE id = {id}"),
        ))
        .await
        .expect("query the token column")?;
    row.try_get::<Option<String>>("", "token")
        .expect("read the token column")
}
