# Runtime: str methods, slicing, %-formatting, str.format, f-strings, repr of strings.
s = "Hello, World"
print(s.lower(), s.upper(), s.title(), s.swapcase(), len(s))
print(s[0], s[-1], s[2:5], s[::-1], s[::2], s[100:])
print(s.find("o"), s.rfind("o"), s.find("z"), s.index("W"), s.count("l"))
print(s.replace("l", "L"), s.startswith("Hell"), s.endswith("d"), "ell" in s)
print("  x  ".strip() + "|", "xxaxx".strip("x"), "  x".lstrip(), "x  ".rstrip() + "|")
print("a b  c".split(), "a,b,,c".split(","), "a b c".split(" ", 1), "a,b,c".rsplit(",", 1))
print(", ".join(["a", "b", "c"]), "".join(reversed("abc")))
print("abc" * 3, "-" * 20)
print("%s is %d years and %.2f m" % ("Bob", 42, 1.8))
print("%5s|%-5s|%05d|%x|%X|%o|%e|%g|%%" % ("a", "b", 42, 255, 255, 8, 12345.678, 0.0001))
print("{} {} {}".format(1, "two", 3.0), "{0}{1}{0}".format("a", "b"), "{:>8.3f}".format(3.14159))
name = "x"; val = 3.14159
print(f"{name}={val:.3f} {val!r} {name!r:>5} {10:08b} {255:#x} {1e6:,.1f} {0.25:.1%}")
print(repr("it's"), repr('say "hi"'), repr("both ' and \""), repr("tab\tnl\n"), repr("\x00\x7f"))
print(str(1), str(1.5), str(None), str([1, "a"]), repr([1, "a"]))
print(ord("a"), chr(97), chr(8364), ord("€"))
print("abc" < "abd", "a" < "B", "Z" < "a", sorted(["b", "A", "a", "B"]))
print("a-b-c".partition("-"), "a-b-c".rpartition("-"), "42".zfill(5), "ab".center(6, "*"))
print("Hello".isalpha(), "123".isdigit(), "  ".isspace(), "abc".islower(), "ABC".isupper())
for ch in "héllo":
    print(ch, end=" ")
print()
print("line1\nline2\r\nline3".splitlines())
print(list("abc"), tuple("ab"), sorted("cba"), "x".join("abc"))
print(str(2**100), len(str(2**100)))
print("é" * 3, "é".upper(), "straße".upper())
words = "the quick brown fox jumps over the lazy dog".split()
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
print(counts)
print(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
