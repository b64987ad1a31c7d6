#!/usr/bin/env python3
"""Marks one version need of an ELF64 shared library weak (VER_FLG_WEAK in its .gnu.version_r entry), in place.

TorchSharp 0.107.0's libLibTorchSharp.so asks for GLIBCXX_3.4.32, which Debian 12's libstdc++ lacks; the only
symbol needing it is an unused marker, so the need made weak lets the library load. Usage:
    weak-version-need.py LIBRARY [VERSION]     (VERSION defaults to GLIBCXX_3.4.32; prints what it changed)
"""
import struct
import sys

VER_FLG_WEAK = 0x2
SHT_GNU_VERNEED = 0x6ffffffe


def main(path, version):
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"error: {path} is not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    changed = 0
    for s in sections:
        if s[1] != SHT_GNU_VERNEED:
            continue
        strtab = sections[s[6]]  # sh_link: the string table of the names
        str_off = strtab[4]
        offset, count = s[4], s[7]  # sh_offset, sh_info: number of Verneed entries
        for _ in range(count):
            vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, offset)
            aux = offset + vn_aux
            for _ in range(vn_cnt):
                vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                name = data[str_off + vna_name:data.index(0, str_off + vna_name)].decode()
                if name == version and not vna_flags & VER_FLG_WEAK:
                    struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                    changed += 1
                aux += vna_next
                if vna_next == 0:
                    break
            if vn_next == 0:
                break
            offset += vn_next
    if changed:
        open(path, "wb").write(data)
    print(f"{path}: {version} made weak in {changed} version need(s)")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "GLIBCXX_3.4.32")
