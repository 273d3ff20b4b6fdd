#!/usr/bin/env python3
"""Lists every function of Fastly's Compute witx with its core Wasm signature.

Usage: witx_functions.py DIR > ../resources/abi/witx-functions.txt
DIR holds compute-at-edge.witx and the files it uses (Viceroy's wasm_abi/compute-at-edge-abi).
Each output line is `module.name (params) -> result`, lowered as wiggle lowers witx: scalars by value, records by
pointer, strings and lists as (pointer, length), pointers as i32, and each value of an `expected` result as an
out pointer after the parameters; the function returns the error enum (i32).
"""
import os
import re
import sys


def tokens(text):
    text = re.sub(r";[^\n]*", "", text)
    return re.findall(r'\(|\)|"[^"]*"|[^\s()]+', text)


def parse(toks):
    stack = [[]]
    for t in toks:
        if t == "(":
            stack.append([])
        elif t == ")":
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(t)
    return stack[0]


SCALAR = {
    "u8": ["i32"], "u16": ["i32"], "u32": ["i32"], "s8": ["i32"], "s16": ["i32"], "s32": ["i32"],
    "u64": ["i64"], "s64": ["i64"], "f32": ["f32"], "f64": ["f64"], "string": ["i32", "i32"],
}


class Lowering:
    def __init__(self):
        self.types = {}

    def load(self, path, modules):
        with open(path) as f:
            for form in parse(tokens(f.read())):
                if form[0] == "use":
                    self.load(os.path.join(os.path.dirname(path), form[1].strip('"')), modules)
                elif form[0] == "typename":
                    self.types[form[1]] = form[2]
                elif form[0] == "module":
                    modules.append(form)

    def lower(self, t):
        if isinstance(t, str):
            if t in SCALAR:
                return SCALAR[t]
            if t.startswith("$"):
                return self.lower(self.types[t])
            raise ValueError("type " + t)
        head = t[0]
        if head == "@witx":
            kind = t[1]
            if kind in ("pointer", "const_pointer", "usize", "char8", "char"):
                return ["i32"]
            raise ValueError("witx " + kind)
        if head in ("handle", "record", "union", "variant"):
            # Handles by value; aggregates are passed by pointer.
            return ["i32"]
        if head == "list":
            return ["i32", "i32"]
        if head in ("enum", "flags"):
            repr_ = [x for x in t[1:] if isinstance(x, list) and x[0] == "@witx"]
            return self.lower(repr_[0][2]) if repr_ else ["i32"]
        raise ValueError("type form " + head)

    def function(self, form):
        name = form[2][1].strip('"')
        params = []
        result = "i32"
        for item in form[3:]:
            if not isinstance(item, list):
                continue
            if item[0] == "param":
                params += self.lower(item[2])
            elif item[0] == "result":
                expected = item[2]
                assert expected[0] == "expected", form
                for value in expected[1:]:
                    if isinstance(value, list) and value[0] == "error":
                        result = self.lower(value[1])[0]
                    elif isinstance(value, list) and value[0] == "tuple":
                        params += ["i32"] * (len(value) - 1)
                    else:
                        params.append("i32")
        return name, params, result


def main(directory):
    lowering = Lowering()
    modules = []
    lowering.load(os.path.join(directory, "compute-at-edge.witx"), modules)
    for module in modules:
        mod = module[1].lstrip("$")
        for form in module[2:]:
            if isinstance(form, list) and form[0] == "@interface":
                name, params, result = lowering.function(form)
                print(f"{mod}.{name} ({', '.join(params)}) -> {result}")


if __name__ == "__main__":
    main(sys.argv[1])
