# Runtime: lists, tuples, dicts (order, views, methods), ranges, iterators.
xs = list(range(10))
print(xs[2:8:2], xs[::-3], xs[-3:], xs[:-7])
xs[2:5] = ["a", "b"]
print(xs)
del xs[0]
del xs[::3]
print(xs)
xs.append(99); xs.insert(0, -1); xs.extend((7, 8)); xs.extend(range(2))
print(xs, xs.pop(), xs.pop(0), xs.index(99), xs.count(7))
xs.remove(99)
print(xs)
ys = [5, 2, 8, 1]
ys.sort(reverse=True)
print(ys, sorted(ys), ys.copy(), ys[::-1])
ys.reverse()
print(ys)
print([1, 2] + [3], [0] * 5, [[0] * 2] * 2, (1,) * 3, (1, 2) + (3,))
print([1, 2] == [1, 2], [1, 2] < [1, 3], (1, 2) < (1, 2, 3), [1, [2]] == [1, [2]])
a = [1, 2]
b = a
a += [3]
print(a, b, a is b)
a *= 2
print(b)
t = (1, "a", 2.5, None)
print(t, len(t), t[1], t.index(2.5), t.count(None), 3 in t)
x, y = (1, 2)
print(x, y)
d = {"a": 1, "b": 2}
d["c"] = 3
print(d, len(d), "a" in d, "z" not in d, d.keys(), d.values(), d.items())
print(list(d), [k for k in d], {v: k for k, v in d.items()})
del d["b"]
d["b"] = 5
print(d, d.pop("a"), d.pop("zz", None), d.setdefault("q", []), d)
d.update({"x": 1}, y=2)
d.update([("z", 0)])
print(d)
print(dict(a=1), dict([(1, 2)]), dict(zip("ab", "cd")), dict.fromkeys("ab", 0))
print({1: "a", 1.0: "b", True: "c"})
nested = {"k": [1, {"n": (2, 3)}]}
print(nested, nested["k"][1]["n"][0])
r = range(0, 20, 3)
print(r, len(r), r[2], r[-1], r[1:3], list(r), 9 in r, 10 in r, list(range(5, 0, -1)))
print(list(reversed(range(1, 10, 2))), sum(range(1, 1000, 7)))
e = enumerate(["x", "y"], 1)
print(list(e))
print(list(zip("abc", range(3), [True, False, None])))
print(list(map(lambda v: v * 2, [1, 2, 3])), list(filter(lambda v: v % 2, range(10))))
print(any([0, 0, 1]), all([1, 1, 0]), any([]), all([]))
m = [[i * j for j in range(3)] for i in range(3)]
print(m)
s = {1, 2} if False else None
print(s)
l = [3, 1, 2]
print(sorted(l, key=lambda v: -v), max(l, key=lambda v: -v), min("abc", key=ord))
print(list(d.items())[0], tuple(d)[0])
it = iter([1, 2, 3])
print(next(it), next(it), next(it), next(it, "done"))
z = [1]
z.append(z)
print(z)
w = {}
w[1] = w
print(w)
print(isinstance([], list), isinstance((), tuple), isinstance({}, dict), isinstance(1, (str, float)))
print(type([]), type(()), type({}), type(range(1)), type(len), type(None))
