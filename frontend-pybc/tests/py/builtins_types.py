# type(), isinstance, constructors list/tuple/dict/str/int/float/bool and their reprs.
for v in [1, 2 ** 70, 1.5, True, None, 'a', [1], (1,), {'a': 1}, range(3), len, print]:
    print(type(v), repr(v) if not callable(v) else 'callable')
print(type(1) is int, type(1.0) is float, type('') is str, type([]) is list, type(None))
print(type(True) is bool, type(True) is int, type(type(1)), type(int))
print(int, float, str, list, tuple, dict, bool, len, abs)
print(list((1, 2)), list('ab'), list(range(3)), list({'x': 1}), list({'x': 1}.items()))
print(tuple([1, 2]), tuple('ab'), tuple(range(2)), tuple({'k': 0}))
print(dict([(1, 2)]), dict(a=1), dict([('x', [1])]), dict({}))
print(str(1), str(1.0), str([1.0]), str((1,)), str({1: 'a'}), str('s'), str())
print(int('7') + int(7.7) + int(True), float('7') + float(1), bool('False'), bool([]))
print(repr(1), repr('1'), repr([1, '1']), repr(None), repr(1.0), repr(2 ** 70))
l = [1, 2]
print(list(l) is l, list(l) == l, tuple(l), str(l))
print(type(1) == type(2), type(1) != type(1.0), type(iter([])), type(iter('')), type(iter(range(1))))
print(type({}.keys()), type(zip()), type(enumerate([])), type(reversed([])))
print(isinstance(type, type), isinstance(int, type), callable(int), callable(len), callable('x'))
