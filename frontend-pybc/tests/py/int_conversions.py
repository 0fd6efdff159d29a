# int() and str() conversions between numbers and text.
print(int('42'), int('-17'), int('  8 '), int('+5'), int('0'), int('000123'))
print(int('123456789012345678901234567890'), int('-99999999999999999999'))
print(int(3.7), int(-3.7), int(0.0), int(-0.9), int(1e18), int(1e20), int(-1.5e19))
print(int(True), int(False), int(7), int(2 ** 70))
print(int('ff', 16), int('101', 2), int('-z', 36), int('0x1f', 16), int('777', 8))
print(str(0), str(-0), str(123), str(-456), str(10 ** 25), str(True), str(None))
print(float(3), float(-7), float(2 ** 60), float(10 ** 30), float('1.5'), float('-2.25e3'))
print(float('inf'), float('-inf'), float('nan'), float(' 3 '))
print(bool(0), bool(1), bool(-1), bool(0.0), bool(''), bool('a'), bool([]), bool([0]))
print(len(str(2 ** 1000)), str(2 ** 1000)[:20])
n = 0
for d in '9081726354':
    n = n * 10 + int(d)
print(n, n * n * n)
print(int(2.5), int(-2.5), int(1e16 + 1), round(2.5), round(3.5), round(-2.5))
print(hex(255), hex(-255), oct(8), bin(10), bin(-10), hex(2 ** 70))
print(ord('A'), chr(97), ord('z') - ord('a'))
