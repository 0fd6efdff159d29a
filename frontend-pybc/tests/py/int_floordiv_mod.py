# Floor division and modulo: the result takes the sign of the divisor, for small and big ints.
vals = [-1000000000000000000000, -2 ** 64, -9223372036854775808, -17, -3, -1, 0, 1, 3, 17,
        9223372036854775807, 2 ** 64, 1000000000000000000000]
divs = [-2 ** 70, -10, -3, -1, 1, 3, 10, 2 ** 70]
for a in vals:
    row = []
    for d in divs:
        q = a // d
        r = a % d
        row.append(q)
        row.append(r)
        if q * d + r != a:
            print('identity broken', a, d)
    print(a, row)
for a in [-7, 7]:
    for d in [-2, 2]:
        print(a, d, divmod(a, d), a // d, a % d)
print(divmod(0, 7), divmod(0, -7))
print(-1 % 10, -11 % 10, 11 % -10, -11 // 10, 11 // -10)
print(2 ** 64 % 10, -(2 ** 64) % 10, 2 ** 64 % -10, -(2 ** 64) // 10)
print(7 % 2 ** 64, -7 % 2 ** 64, 7 // 2 ** 64, -7 // 2 ** 64)
