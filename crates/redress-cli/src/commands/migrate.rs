//! `redress migrate`: brings the database schema up to date.

use super::database::{DatabaseArgs, runtime};
use clap::Args;
use redress_service::Redress;

/// Arguments of `redress migrate`.
#[derive(Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Applies pending migrations.
pub fn run(args: MigrateArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let redress = Redress::connect(&args.database.location()).await?;
        let applied = redress.operations().migrate().await?;
        if applied.is_empty() {
            eprintln!("the database schema is up to date");
        } else {
            let versions: Vec<String> = applied.iter().map(i64::to_string).collect();
            eprintln!("applied migration(s) {}", versions.join(", "));
        }
        redress.operations().close().await;
        Ok(())
    })
}
