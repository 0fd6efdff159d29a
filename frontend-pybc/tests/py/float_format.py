# Float formatting: %-style and format specs.
vals = [0.0, -0.0, 1.0, 3.14159265358979, -2.5, 1234567.891, 1e-7, 1e20, 0.5, 1.5, 2.5, 0.125]
for v in vals:
    print('%f|%.2f|%.9f|%10.3f|%-10.1f|%e|%g|%.0f' % (v, v, v, v, v, v, v, v))
for v in vals:
    print(f'{v:.3f}|{v:8.2f}|{v:<8.1f}|{v:>9.4f}|{v:+.2f}|{v:e}|{v:.3e}|{v:g}|{v:.0f}')
    print('{:.3f} {} {!r} {:10}'.format(v, v, v, v))
print('%.3f' % 2.0005, '%.2f' % 2.675, '%.1f' % 0.05, '%.0f' % 0.5, '%.0f' % 1.5)
print(f'{1e16:.1f}', f'{123.456:,.2f}', f'{0.000012345:.3g}', f'{1234567.0:.3g}')
print('%5.1f%%' % 99.5, '%s' % 1.0, '%r' % 0.1, '%d' % 3.99, '%i' % -3.99)
print(format(3.14159, '.2f'), format(2.0, ''), format(1e-5), format(1e16, 'f'))
print(f'{3.0}', f'{-1e-5}', f'{1/3!r}', f'{2.5:^9}|', f'{2.5:*^9.2f}|', f'{42.0:010.3f}')
inf = float('inf')
print('%f %f %.2f' % (inf, -inf, float('nan')), f'{inf:.3f}', f'{-inf:e}')
