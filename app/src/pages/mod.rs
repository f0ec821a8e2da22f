//! One module per screen, plus the shared layout and small components.
pub mod audit;
pub mod campaigns;
pub mod components;
pub mod dashboard;
pub mod exceptions;
pub mod findings;
pub mod imports;
pub mod item;
pub mod layout;
pub mod login;
pub mod my_work;
pub mod reports;
pub mod repositories;
pub mod settings;
