//! Handing freed memory back to the system between the stages of a run.

/// Returns the heap's free memory to the system. A plan's stages each build and drop
/// large structures (a 10,000-table desired state's statements and parse trees, each
/// catalog query's rows), and glibc's allocator keeps what they freed, spread over its
/// per-thread arenas, so that it counted again in the peak of the next stage: at 10,000
/// tables, about 40 MB of a files→database plan's peak. Elsewhere than glibc, nothing.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim takes any padding and only releases free memory.
        unsafe {
            malloc_trim(0);
        }
    }
}
