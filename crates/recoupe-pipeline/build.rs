//! rpath to libtorch's lib dir, so the test binaries (which link recoupe-embed) run without `LD_LIBRARY_PATH` (the recipe
//! of recoupe-embed: its build script re-publishes torch-sys's lib dir to direct
//! dependents as `DEP_RECOUPE_EMBED_LIBTORCH_LIB`).

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_RECOUPE_EMBED_LIBTORCH_LIB");
    if let Ok(dir) = std::env::var("DEP_RECOUPE_EMBED_LIBTORCH_LIB") {
        if !dir.is_empty() {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
}
