# -*- Python -*-
import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "ADAROUND"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "lib"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.adaround_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR", "PATH"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.adaround_tools_dir, append_path=True)

# The oracle is Debian's torch for /usr/bin/python3, not the pyenv python.
python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
config.substitutions.append(("%python", python))
config.substitutions.append(("%adaround_src", config.adaround_src_root))
config.substitutions.append(("%adaround_lib", config.adaround_lib_dir))
config.substitutions.append(("%adaround_bin", config.adaround_tools_dir))
config.substitutions.append(("%llvm_lib", config.llvm_lib_dir))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%adaround_obj", config.adaround_obj_root))
config.substitutions.append(
    ("%plugin", os.path.join(config.adaround_lib_dir, "AdaroundPlugin.so")))
config.substitutions.append(
    ("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))
runner_libs = ",".join(
    os.path.join(config.llvm_lib_dir, lib)
    for lib in ["libmlir_runner_utils.so", "libmlir_c_runner_utils.so"])
config.substitutions.append(("%runner_libs", runner_libs))
config.substitutions.append(
    ("%mlir_runner",
     os.path.join(config.llvm_tools_dir, "mlir-runner") +
     " -e main -entry-point-result=void -shared-libs=" + runner_libs))
# Code compiled with --adaround-to-llvm=threads=N (N != 1) calls OpenMP.
config.substitutions.append(
    ("%omp_runner",
     os.path.join(config.llvm_tools_dir, "mlir-runner") +
     " -e main -entry-point-result=void -shared-libs=" + runner_libs + "," +
     os.path.join(config.llvm_lib_dir, "libomp.so")))
config.environment["PYTHONPATH"] = os.path.join(
    config.adaround_src_root, "test", "lib")

tools = ["adaround-opt", "mlir-opt", "mlir-runner", "mlir-translate"]
llvm_config.add_tool_substitutions(
    tools, [config.adaround_tools_dir, config.llvm_tools_dir])


def python_has(module):
    try:
        return subprocess.run([python, "-c", "import " + module],
                              capture_output=True).returncode == 0
    except OSError:
        return False


# Sanitized builds: instrumented code cannot be loaded into Debian's
# uninstrumented mlir-opt, nor linked into a consumer built without the
# sanitizers; those tests say UNSUPPORTED: asan.
if getattr(config, "sanitize", False):
    config.available_features.add("asan")
    config.environment["ASAN_OPTIONS"] = \
        "detect_leaks=0:allow_user_poisoning=0"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1"
if getattr(config, "fuzzer", False):
    config.available_features.add("fuzzer")

if python_has("torch"):
    config.available_features.add("torch")
if python_has("sklearn"):
    config.available_features.add("sklearn")

# CPU features the JIT-compiled tests may rely on (`--adaround-to-llvm`
# decides from the compiling host too).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        if " avx512f" in cpuinfo.read():
            config.available_features.add("x86-avx512")
except OSError:
    pass

# Optional NVIDIA tools and hardware: the default suite passes without them.
cuda_bin = os.path.join(config.cuda_root or "/usr/local/cuda", "bin")
ptxas = shutil.which("ptxas") or (
    os.path.join(cuda_bin, "ptxas")
    if os.path.exists(os.path.join(cuda_bin, "ptxas")) else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
if shutil.which("nvidia-smi"):
    try:
        if subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                          timeout=20).returncode == 0:
            config.available_features.add("cuda-gpu")
    except (OSError, subprocess.TimeoutExpired):
        pass
cuda_runtime = os.path.join(config.adaround_lib_dir,
                            "libadaround_cuda_runtime.so")
if os.path.exists(cuda_runtime):
    config.available_features.add("cuda-runtime")
    config.substitutions.append(
        ("%mlir_runner_gpu",
         os.path.join(config.llvm_tools_dir, "mlir-runner") +
         " -e main -entry-point-result=void -shared-libs=" + cuda_runtime +
         "," + runner_libs))
