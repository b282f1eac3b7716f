"""Precision resolution as a pure function of the hardware."""

import pytest

from applications.training import precision


@pytest.mark.parametrize(
    "hardware, expected",
    [
        ({}, "float32"),
        ({"cpu_feature_flags": {"avx2", "avx512_bf16"}}, "mixed_bfloat16"),
        ({"cpu_feature_flags": {"amx_bf16"}}, "mixed_bfloat16"),
        ({"gpu_capabilities": [(8, 0)], "cpu_feature_flags": {"avx2"}}, "mixed_bfloat16"),
        ({"gpu_capabilities": [(7, 0)], "cpu_feature_flags": {"avx512_bf16"}}, "mixed_float16"),
        ({"tpu": True}, "mixed_bfloat16"),
    ],
)
def test_auto_precision(hardware, expected):
    assert precision.choose_precision("auto", **hardware) == expected


def test_explicit_precision_and_bad_value():
    assert precision.choose_precision("float32", cpu_feature_flags={"avx512_bf16"}) == "float32"
    with pytest.raises(ValueError, match="precision='fp8'"):
        precision.choose_precision("fp8")


def test_cpu_flags_reads_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx512_bf16 sse\n")
    assert precision.cpu_flags(str(info)) == {"fpu", "avx512_bf16", "sse"}
    assert precision.cpu_flags(str(tmp_path / "missing")) == set()
