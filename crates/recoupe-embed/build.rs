//! Gives binaries that link libtorch an rpath to its lib dir, so tests, examples and
//! downstream binaries run without `LD_LIBRARY_PATH`.
//!
//! torch-sys (`links = "tch"`) publishes the lib dir as `DEP_TCH_LIBTORCH_LIB` to crates
//! that depend on it directly. We use it for this package's own tests/examples, and
//! re-publish it (`links = "recoupe_embed"`) as `DEP_RECOUPE_EMBED_LIBTORCH_LIB` for the
//! crates that depend on recoupe-embed, whose own build.rs copies the rpath line (README).

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        if !dir.is_empty() {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
            println!("cargo:libtorch_lib={dir}");
        }
    }
}
