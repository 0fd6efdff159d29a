# Lambdas: as values, as keys, immediately called, capturing variables.
sq = lambda x: x * x
add = lambda a, b=1: a + b
print(sq(7), add(2), add(2, 3), add(b=5, a=1), (lambda: 'called')())
ops = {'+': lambda a, b: a + b, '-': lambda a, b: a - b, '*': lambda a, b: a * b}
for k in ops:
    print(k, ops[k](6, 3))
print(sorted([-5, 3, -1, 2], key=lambda v: abs(v)), max(['aa', 'b', 'cccc'], key=lambda s: len(s)))
print(list(map(lambda x: x + 1, [1, 2, 3])), list(filter(lambda x: x % 2, range(10))))
fs = [lambda x, k=k: x + k for k in range(3)]
print([f(10) for f in fs])
twice = lambda f: lambda x: f(f(x))
print(twice(sq)(3), twice(lambda s: s + '!')('hey'))
curry = lambda a: lambda b: lambda c: a * 100 + b * 10 + c
print(curry(1)(2)(3))
cond = lambda n: 'big' if n > 10 else 'small'
print(cond(5), cond(50))
print(min([(1, 'b'), (0, 'z'), (1, 'a')], key=lambda t: t[1]))
