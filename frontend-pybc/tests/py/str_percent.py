# %-formatting with the common conversions, widths and flags.
print('%d' % 42, '%d' % -42, '%5d|' % 42, '%-5d|' % 42, '%05d' % 42, '%+d' % 42, '% d' % 42)
print('%s' % 'abc', '%10s|' % 'abc', '%-10s|' % 'abc', '%.2s' % 'abc', '%r' % 'abc', '%r' % 42)
print('%s %s %s' % (1, 2.5, None), '%s' % [1, 2], '%s' % (('a', 1),), '%r' % [1, 'b'])
print('%x %X %o %#x %#o' % (255, 255, 8, 255, 8), '%c' % 65, '%c' % 'z')
print('%f' % 3.14159, '%.9f' % 3.14159, '%.2f' % -0.005, '%8.3f|' % 2.5, '%-8.3f|' % 2.5)
print('%e' % 12345.678, '%.2e' % 0.00012, '%g' % 0.00001234, '%g' % 123456789.0, '%G' % 1e-10)
print('%d%%' % 50, '100%%', '%s-%s' % ('a', 'b'))
name = 'Ada'
age = 36
print('Name: %s, Age: %d, Next: %d' % (name, age, age + 1))
for i in range(1, 6):
    print('%3d | %-6s | %6.2f | %s' % (i, 'x' * i, i / 3, i % 2 == 0))
print('%d' % 2 ** 70, '%x' % 2 ** 70, '%s' % 2 ** 70, '%d' % True, '%s' % True)
print('%5s|%-5s|' % ('ab', 'cd'), '%.3s' % 'abcdef')
table = [('apple', 3, 0.5), ('banana', 12, 0.25), ('cherry', 100, 10.0)]
for row in table:
    print('%-8s%5d%8.2f' % row)
print('%s' % 'single', '%s' % ('tuple1',))
print('plain' % [1, 2], '%s' % [1, 2], 'x' % range(3), '%s!' % range(2), 'no args' % {}, '%r' % ([],))
