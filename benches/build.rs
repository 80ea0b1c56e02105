//! rpath to libtorch for the bench binaries when the `embed` feature links it (see
//! crates/recoupe-embed/README.md, "rpath"): recoupe-embed publishes the lib dir as
//! `DEP_RECOUPE_EMBED_LIBTORCH_LIB`. Without that feature this does nothing.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_RECOUPE_EMBED_LIBTORCH_LIB");
    if let Ok(dir) = std::env::var("DEP_RECOUPE_EMBED_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
