# A hot loop calls a function bound to a global; rebinding the global mid-loop must
# invalidate the trace that assumed it (and redefining with `def` too).
def inc(x):
    return x + 1

def dec(x):
    return x - 1

step = inc
v = 0
for i in range(300):
    if i == 100:
        step = dec
    if i == 200:
        def step(x):
            return x * 2 % 1000003
    v = step(v)
print(v)
