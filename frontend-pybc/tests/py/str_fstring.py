# f-strings and str.format with the common format specs.
x = 3.14159
n = 42
s = 'hi'
print(f'{x:.3f}', f'{n:5d}|', f'{n:<5}|', f'{n:>5}|', f'{n:^5}|', f'{n:05d}', f'{n:+d}')
print(f'{s:>6}|', f'{s:<6}|', f'{s:^6}|', f'{s!r}', f'{s}!', f'{n!r}', f'{x!s}')
print(f'{n:x}', f'{n:X}', f'{n:o}', f'{n:b}', f'{n:#x}', f'{n:#b}', f'{n:,}', f'{10 ** 7:,}')
print(f'{n * 2}', f'{n // 5} {n % 5}', f'{[1, 2]}', f'{(1, "a")}', f'{None}', f'{True}')
print(f'{x:10.2f}|', f'{-x:.1f}', f'{x:e}', f'{0.5:%}', f'{0.125:.1%}')
print(f'{"nested"}', f"{'q'}", f'{{braces}}', f'{n}{n}', f'a{n}b{s}c')
width = 8
prec = 2
print(f'{x:{width}.{prec}f}|', f'{s:{width}}|')
for i in range(1, 5):
    print(f'{i:2d}: {i * i:4d} {i ** 0.5:.4f} {"#" * i:<4}|')
print('{} {} {}'.format(1, 'two', 3.0), '{1} {0}'.format('a', 'b'), '{x}-{y}'.format(x=1, y=2))
print('{:>5}|{:<5}|{:^5}|'.format('a', 'b', 'c'), '{:.2f}'.format(2 / 3), '{:05.1f}'.format(3.14159))
print(format(42, '08b'), format(255, 'x'), format('abc', '>5'), format(1234567, ','))
big = 2 ** 80
print(f'{big}', f'{big:,}', f'{-big:>30}', f'{big:x}')
print(f'{-0.0}', f'{1e16}', f'{1e-5}', f'{float("inf")}')
print(f'{n=}', f'{x = :.2f}', f'{"é":3}|')
