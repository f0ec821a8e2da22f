//! The workflow data layer on every configured backend (SQLite, and PostgreSQL when
//! `REDRESS_TEST_PG_URL` is set): audit log, teams, repositories, campaigns, work items,
//! fix proposals and exceptions.
mod assignment;
mod audit;
mod campaigns;
mod exceptions;
mod progress;
mod repositories;
mod support;
