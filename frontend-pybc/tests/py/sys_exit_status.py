# sys.exit with an int: the process exits with that status after printing what came before.
import sys
for i in range(3):
    print('step', i)
sys.exit(3)
print('not reached')
