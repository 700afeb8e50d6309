//! `redress migrate`: brings the database schema up to date.

use super::database::{DatabaseArgs, runtime};
use clap::Args;
use redress_storage::Store;

/// Arguments of `redress migrate`.
#[derive(Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Applies pending migrations.
pub fn run(args: MigrateArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let store = Store::connect(&args.database.location()).await?;
        let applied = store.migrate().await?;
        if applied.is_empty() {
            eprintln!("the database schema is up to date");
        } else {
            let versions: Vec<String> = applied.iter().map(i64::to_string).collect();
            eprintln!("applied migration(s) {}", versions.join(", "));
        }
        store.close().await;
        Ok(())
    })
}
