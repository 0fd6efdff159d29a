# del p[a:b:c] with every kind of bound and step, positive and negative, against CPython.
for n in range(0, 8):
    out = []
    for a in [None, -9, -3, -1, 0, 1, 2, 5, 9]:
        for b in [None, -9, -2, 0, 3, 9]:
            for c in [None, 1, 2, 3, -1, -2, -3]:
                p = list(range(n))
                del p[a:b:c]
                out.append(p)
    print(n, out)
