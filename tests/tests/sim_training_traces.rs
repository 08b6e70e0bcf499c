//! The co-simulation's profile-guided build trains on committed traces (sim/train/): they must be
//! the programs the compiler emits today, or the profile describes code paths rsn no longer drives.

#[cfg(feature = "sim")]
#[test]
fn sim_training_traces_are_current() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sim_training_traces"))
        .arg("--check")
        .output()
        .expect("run sim_training_traces --check");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}
