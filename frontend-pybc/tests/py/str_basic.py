# Strings: literals, concatenation, repetition, indexing, slicing, len, comparison.
s = 'hello'
t = "world"
print(s, t, s + ' ' + t, s * 3, 3 * t, s * 0, s * -2, len(s), len(''))
print(s[0], s[4], s[-1], s[-5], s[1:3], s[:2], s[2:], s[:], s[::-1], s[::2], s[1::2], s[-3:])
print(s[10:], s[-10:2], s[3:1], s[::-2], s[4:0:-1], s[-1:-6:-1])
print('a' < 'b', 'abc' < 'abd', 'ab' < 'abc', 'B' < 'a', 'x' == 'x', 'x' != 'y', 'abc' >= 'abc')
print('ell' in s, 'z' in s, '' in s, 'h' not in t)
acc = ''
for ch in 'python':
    acc = ch + acc
    print(acc)
print(acc)
words = ''
i = 0
while i < 5:
    words += str(i) + ','
    i += 1
print(words)
print('tab\there', 'new\\nline', 'quote\'s', "dq\"s", 'uni: \u00e9\u4e2d', len('\u00e9\u4e2d'))
print('\u00e9\u4e2d'[1], 'caf\u00e9'[::-1], 'caf\u00e9'[3])
multi = """line one
line two"""
print(multi)
print('abc' 'def', ('x'
      'y'))
print(str(12) + str(3.5) + str(None) + str([1, 'a']))
print(min('hello'), max('hello'), sorted('hello'), list('abc'), tuple('ab'))
c = 0
for ch in 'mississippi':
    if ch == 's':
        c += 1
print(c)
print('' == '', '' < 'a', 'Z' * 3 + 'z')
