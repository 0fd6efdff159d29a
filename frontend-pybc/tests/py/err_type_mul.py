# TypeError: can't multiply sequence by non-int of type 'float'.
print('ab' * 3)
print('ab' * 2.5)
