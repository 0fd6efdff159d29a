# Arbitrary precision: overflow of the machine word promotes to a big integer.
x = 1
for i in range(1, 30):
    x = x * i
    print(i, x)
p = 1
for i in range(70):
    p = p * 2
print(p)
print(2 ** 64, 2 ** 63, 2 ** 63 - 1, -2 ** 63, -2 ** 63 - 1)
print(2 ** 100 + 1 - 2 ** 100)
big = 123456789012345678901234567890
print(big, big + 1, big - big, big * big)
print(big // 7, big % 7, -big // 7, -big % 7)
print(big // -7, big % -7)
print(divmod(big, 1000000007), divmod(-big, 1000000007))
fib_a = 0
fib_b = 1
for i in range(120):
    fib_a, fib_b = fib_b, fib_a + fib_b
print(fib_a)
print(fib_a % 1000000007, fib_a // fib_b)
print(str(2 ** 200), len(str(2 ** 200)))
print(repr(-(10 ** 30)))
s = 0
for i in range(50):
    s += 10 ** 18
print(s, s - 50 * 10 ** 18)
q = 2 ** 65
print(q // 2 ** 60, q % 3, q // 3)
print(q == 2 ** 65, q > 2 ** 64, q < 2 ** 64, -q < 5, q != q + 1)
print(abs(-q), -q, +q)
r = q
while r > 1:
    r = r // 3
    print(r, end=' ')
print()
print(9223372036854775807 + 1, -9223372036854775808 - 1)
print(9223372036854775807 * 2, 4611686018427387904 * 2, 3037000500 * 3037000500)
print(-9223372036854775808 // -1, -9223372036854775808 % -1)
print(abs(-9223372036854775808), -(-9223372036854775808))
print(10 ** 20 // 10 ** 10, 10 ** 20 % 10 ** 10 == 0)
print(int(str(2 ** 90)) == 2 ** 90)
