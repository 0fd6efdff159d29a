# String methods.
s = '  Hello, World  '
print(repr(s.strip()), repr(s.lstrip()), repr(s.rstrip()), s.upper(), s.lower())
w = 'the quick brown fox jumps over the lazy dog'
parts = w.split()
print(parts, len(parts))
print(w.split(' ', 2), 'a,b,,c'.split(','), 'a b  c'.split(' '), '  x  y '.split())
print('-'.join(parts), ''.join(['a', 'b', 'c']), ', '.join([str(i) for i in range(5)]))
print(w.replace('the', 'a'), w.replace('o', '0', 2), w.count('o'), w.count('the'))
print(w.find('fox'), w.find('cat'), w.index('quick'), w.rfind('the'), w.find('o', 20))
print(w.startswith('the'), w.endswith('dog'), w.startswith('dog'), w.endswith('the'))
print('abc'.isalpha(), 'abc1'.isalpha(), '123'.isdigit(), '12a'.isdigit(), '  '.isspace())
print('Hello'.isupper(), 'HELLO'.isupper(), 'hello'.islower(), 'hello world'.title())
print('hello'.capitalize(), 'Hello'.swapcase(), 'x'.center(7, '*'), '5'.zfill(4), '-5'.zfill(4))
print('abc'.ljust(6) + '|', 'abc'.rjust(6) + '|', 'abc'.ljust(2) + '|')
print('a-b-c'.partition('-'), 'a-b-c'.rpartition('-'), 'abc'.partition('x'))
print('line1\nline2\nline3'.splitlines(), 'xxabcxx'.strip('x'), 'a,b;c'.replace(',', ';').split(';'))
csv = '3,1,4,1,5,9,2,6'
nums = [int(x) for x in csv.split(',')]
print(nums, sum(nums))
print('|'.join(sorted(csv.split(','))))
up = ''
for word in parts:
    up += word[0].upper() + word[1:] + ' '
print(up.strip())
print('%s has %d chars' % (w[:9], len(w[:9])))
print('abcabc'.rindex('b'), 'A1b2'.isalnum())
print(str.upper('abc'), 'x'.join('123'), 'ab' * 2 == 'abab')
