# AttributeError on None: a function that forgot to return.
def build(n):
    xs = []
    for i in range(n):
        xs.append(i)
r = build(3)
print(r)
r.append(4)
