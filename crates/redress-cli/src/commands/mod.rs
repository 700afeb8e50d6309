//! One module per subcommand.

pub mod audit;
pub mod database;
pub mod demo_data;
pub mod import;
pub mod migrate;
pub mod serve;
pub mod token;
pub mod verify_log;
