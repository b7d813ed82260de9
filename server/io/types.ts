/** The typed Socket.IO server and socket used throughout the server. */
import type { Server, Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from '../../protocol/events.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const SESSION_ROOM = 'session:';

/** Room names are prefixed so a session id can never collide with a socket id's own room. */
export function sessionRoom(sessionId: string): string {
  return `${SESSION_ROOM}${sessionId}`;
}

/** The session a room is for, if it is a session's room. */
export function sessionOfRoom(room: string): string | undefined {
  return room.startsWith(SESSION_ROOM) ? room.slice(SESSION_ROOM.length) : undefined;
}
