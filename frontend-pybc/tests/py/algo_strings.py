# Text processing: word frequencies, caesar cipher, palindromes, run-length encoding.
text = 'It was the best of times it was the worst of times it was the age of wisdom'
freq = {}
for w in text.lower().split():
    freq[w] = freq.get(w, 0) + 1
top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))
print(top[:5])
def caesar(s, k):
    out = []
    for ch in s:
        if 'a' <= ch <= 'z':
            out.append(chr((ord(ch) - ord('a') + k) % 26 + ord('a')))
        elif 'A' <= ch <= 'Z':
            out.append(chr((ord(ch) - ord('A') + k) % 26 + ord('A')))
        else:
            out.append(ch)
    return ''.join(out)
enc = caesar('Hello, World!', 3)
print(enc, caesar(enc, -3))
def is_pal(s):
    t = [c for c in s.lower() if c.isalnum()]
    return t == t[::-1]
for s in ['A man, a plan, a canal: Panama', 'hello', 'racecar', '']:
    print(repr(s), is_pal(s))
def rle(s):
    if not s:
        return ''
    out = ''
    prev = s[0]
    count = 1
    for c in s[1:]:
        if c == prev:
            count += 1
        else:
            out += str(count) + prev
            prev = c
            count = 1
    return out + str(count) + prev
print(rle('aaabccddddde'), rle('x'), rle(''))
lines = ['name,qty,price', 'apple,3,0.5', 'pear,10,0.25', 'melon,1,3.0']
header = lines[0].split(',')
total = 0.0
for line in lines[1:]:
    fields = line.split(',')
    rec = dict(zip(header, fields))
    cost = int(rec['qty']) * float(rec['price'])
    total += cost
    print(f"{rec['name']:<6} {cost:6.2f}")
print(f'total {total:.2f}')
print(' '.join([w[::-1] for w in 'reverse each word'.split()]), 'x'.join('abc'))
