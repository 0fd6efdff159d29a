# Closures: captured variables, counters, closures in loops, nested levels.
def make_adder(n):
    def add(x):
        return x + n
    return add
add5 = make_adder(5)
add10 = make_adder(10)
print(add5(1), add10(1), add5(add10(100)))
def counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc
c1 = counter()
c2 = counter()
print(c1(), c1(), c1(), c2(), c1())
def outer():
    x = 'outer'
    def middle():
        def inner():
            return x + '!'
        return inner()
    return middle()
print(outer())
fs = []
for i in range(4):
    fs.append(lambda i=i: i * i)
print([g() for g in fs])
late = []
for i in range(4):
    late.append(lambda: i)
print([g() for g in late])
def make_ops():
    total = [0]
    def add(v):
        total[0] += v
    def get():
        return total[0]
    return add, get
add, get = make_ops()
add(3)
add(4)
print(get())
def compose(f, g):
    return lambda x: f(g(x))
inc_then_double = compose(lambda x: x * 2, lambda x: x + 1)
print(inc_then_double(5), compose(str, abs)(-7))
def acc_gen(start):
    val = start
    def step(d):
        nonlocal val
        val = val + d
        return val
    return step
s = acc_gen(1.5)
print(s(1), s(2.25), s(10 ** 20))
def fib_memo():
    memo = {}
    def fib(n):
        if n < 2:
            return n
        if n in memo:
            return memo[n]
        r = fib(n - 1) + fib(n - 2)
        memo[n] = r
        return r
    return fib
print(fib_memo()(90))
def shadow():
    x = 1
    def inner():
        x = 2
        return x
    return inner(), x
print(shadow())
