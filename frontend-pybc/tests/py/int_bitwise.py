# Bitwise operators and shifts on small, negative and big ints.
for a in [0, 1, 5, 12, -1, -5, -12, 255, 2 ** 40 + 3]:
    for b in [0, 3, 6, -4, 255, -256]:
        print(a, b, a & b, a | b, a ^ b)
for a in [1, -1, 5, -5, 123456789, -123456789]:
    print(a, ~a, a << 1, a << 10, a << 40, a << 70, a >> 1, a >> 3, a >> 70)
print(1 << 62, 1 << 63, 1 << 64, 1 << 100, -1 << 63, -1 << 64)
big = 2 ** 100 + 2 ** 50 + 7
print(big & 0xFFFF, big | 1, big ^ big, big >> 50, big >> 99, big >> 101, ~big)
print(-big & 0xFFFF, -big >> 10, -big | 3, -big ^ 5)
print((big << 3) >> 3 == big, big & -big, big & (2 ** 64 - 1))
print(0xFF, 0o17, 0b1011, 0xdeadbeef, 0xFFFFFFFFFFFFFFFFFFFF)
x = 1
for i in range(10):
    x = (x << 7) ^ (x >> 3) ^ i
    print(x)
h = 0
for c in range(40):
    h = (h * 31 + c) & 0xFFFFFFFF
print(h)
mask = 0
for i in range(0, 70, 7):
    mask |= 1 << i
print(mask, mask & (1 << 63), mask >> 63)
y = 12345
y <<= 3
y >>= 1
y &= 0xFF0
y |= 0x10001
y ^= 0x3
print(y)
