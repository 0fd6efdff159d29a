# args: 7 x hello 2.5
# sys.argv: the program's arguments, converted and used.
import sys
args = sys.argv[1:]
print(len(sys.argv), args)
n = int(args[0])
print(n * 6, args[1] * n, args[2].upper(), float(args[3]) * 2)
for i, a in enumerate(args):
    print(i, a, len(a))
print(sys.argv[0].endswith('sys_argv.py'))
total = 0
for a in sys.argv[1:]:
    if a.isdigit():
        total += int(a)
print(total)
