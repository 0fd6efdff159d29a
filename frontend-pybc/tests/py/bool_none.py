# bool and None: printing, arithmetic with bools, truthiness and identity.
t = True
f = False
n = None
print(t, f, n, repr(t), str(f), repr(n), str(n))
print(t + t, t * 5, f - 1, t / 2, -t, ~t, t & f, t | f, t ^ t, t << 3)
print(t == 1, f == 0, t is True, n is None, n is not None, n == None, t == 1.0)
print(not t, not f, not n, not 0, not '', not [], not [0], not 0.0, not -1)
print(t and f, t or f, n or 'default', 0 or n, 'a' and 'b', '' and 'b', [] or [1])
print(1 and 2 and 3, 1 and 0 and 3, 0 or '' or None, 0 or '' or 'x')
print(bool(n), bool(t), int(t), float(f), str(t) + '!', [t, f, n], (n,))
print(isinstance(t, bool), isinstance(t, int), isinstance(1, bool), type(t) is bool)
print(max(t, f), min(True, 0), sum([True, True, False, True]), abs(True))
print(t > f, f < t, t >= 1, True + 1.5, divmod(True, True), True // True)
def nothing():
    pass
r = nothing()
print(r, r is None)
def maybe(x):
    if x > 0:
        return x
print(maybe(3), maybe(-3))
count = 0
for v in [0, 1, '', 'x', [], [1], None, 0.0, 2.5, True, False]:
    if v:
        count += 1
    print(v, 'truthy' if v else 'falsy')
print(count)
x = None
if x is None:
    print('x is None')
x = 0
if x is not None:
    print('x is not None now', x)
print({True: 'yes', False: 'no'}[3 > 2], {None: 1}[None])
print(True == True == True, (True is True) is True)
