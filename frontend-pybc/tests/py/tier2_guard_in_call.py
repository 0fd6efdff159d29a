# Guards failing inside inlined calls: the value's type changes at a chosen iteration,
# and a container changes kind.
def scale(v, k):
    return v * k

def pick(xs, i):
    return xs[i]

def run():
    s = 0
    k = 3
    xs = [1, 2, 3]
    for i in range(200):
        if i == 120:
            k = 0.5
        if i == 150:
            xs = (4, 5, 6)
        s = s + scale(pick(xs, i % 3), k)
    return s

print(run())
