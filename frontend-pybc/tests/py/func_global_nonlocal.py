# global and nonlocal rebinding.
counter = 0
def bump():
    global counter
    counter += 1
    return counter
for _ in range(5):
    bump()
print(counter)
def set_new():
    global fresh
    fresh = 'created'
set_new()
print(fresh)
total = 10
def read_only():
    return total * 2
print(read_only())
total = 50
print(read_only())
def outer():
    n = 0
    def a():
        nonlocal n
        n += 10
    def b():
        nonlocal n
        n *= 2
    a()
    b()
    a()
    return n
print(outer())
def levels():
    x = 1
    def l1():
        nonlocal x
        x += 1
        def l2():
            nonlocal x
            x *= 10
        l2()
        return x
    r = l1()
    return r, x
print(levels())
items = []
def add_item(v):
    items.append(v)
add_item(1)
add_item(2)
print(items)
def swap_globals():
    global a_g, b_g
    a_g, b_g = b_g, a_g
a_g = 'A'
b_g = 'B'
swap_globals()
print(a_g, b_g)
state = {'calls': 0}
def tracked():
    state['calls'] += 1
tracked()
tracked()
print(state)
