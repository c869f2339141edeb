"""Writes the PTX of every gpu.binary object (format=isa) found in MLIR text.

  adaround-opt k.mlir --adaround-to-nvvm | extract_ptx.py -o kernel.ptx
      all objects concatenated into one file (for FileCheck)
  ... | extract_ptx.py -o prefix --ptxas /path/to/ptxas --arch sm_90
      each object in its own prefix.N.ptx, assembled with ptxas
"""
import argparse
import re
import subprocess
import sys


def unescape(text):
    """MLIR string literal escapes: \\XX hex, \\\\ and \\"."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1]
            if nxt in "\\\"":
                out.append(ord(nxt))
                i += 2
            else:
                out.append(int(text[i + 1:i + 3], 16))
                i += 3
        else:
            out.extend(c.encode())
            i += 1
    return out.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--ptxas", help="assemble each object with this ptxas")
    parser.add_argument("--arch", default="sm_90")
    args = parser.parse_args()
    text = sys.stdin.read()
    objects = re.findall(r'assembly = "((?:[^"\\]|\\.)*)"', text)
    if not objects:
        print("no gpu.binary assembly found", file=sys.stderr)
        return 1
    if not args.ptxas:
        with open(args.output, "w") as f:
            f.write("\n".join(unescape(o) for o in objects))
        return 0
    for i, obj in enumerate(objects):
        path = f"{args.output}.{i}.ptx"
        with open(path, "w") as f:
            f.write(unescape(obj))
        subprocess.run([args.ptxas, f"-arch={args.arch}", path, "-o",
                        path + ".cubin"], check=True)
    print(f"assembled {len(objects)} PTX modules for {args.arch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
