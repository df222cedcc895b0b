//! SMTP delivery over several connections at once, with command pipelining (RFC 2920) where
//! the server offers it, a rate limit across connections, a cap on messages per connection,
//! and back-off when the server says it is busy.
//!
//! lettre makes each connection (greeting, STARTTLS or TLS, EHLO, AUTH); the transactions
//! are written here over its connection. With PIPELINING, MAIL, RCPT and DATA go out in one
//! write, and once the server has accepted DATA, the message content, its final dot and the
//! next message's MAIL, RCPT and DATA go out in one write too: one round trip per message.
//! Without it, each command waits for its reply. Each message is reported (and journalled
//! by the caller) as soon as the server accepts it, before the next message's content is
//! written: after a crash, at most one message per connection can have been accepted and
//! not recorded.

use super::transport::{Job, SendError, Stage, TransportError, classify, tls_parameters};
use crate::config::{Security, SmtpSettings};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Ehlo, Quit, Rset};
use lettre::transport::smtp::extension::ClientId;
use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

type SmtpError = lettre::transport::smtp::Error;

/// Attempts to reconnect, by one connection that is the last one left, after the server
/// said it was busy (421, too many connections) or could not be reached mid-run; waits
/// 1, 2, 4… seconds between them.
const RECONNECTS: u32 = 4;

/// Why a connection could not be made ready.
pub(super) enum Connect {
    /// The server refused the login.
    Login(SmtpError),
    /// Anything before it: connecting, the greeting, TLS.
    Other(SmtpError),
}

/// One connection, and what is known of it.
struct Conn {
    inner: SmtpConnection,
    /// The server offered PIPELINING.
    pipelining: bool,
    /// Messages accepted on it.
    sent: usize,
}

/// Spaces messages out to at most `rate` per second, across all connections.
struct Pace {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pace {
    /// Waits for this message's slot.
    fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot.checked_add(self.interval).unwrap_or(slot);
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }
}

/// Cuts a connection whose exchange (logging in, or one message) is not over within its
/// limit: lettre bounds each read by the timeout, not a whole reply, so a server sending
/// one byte at a time could otherwise hold a run — and the lock — for ever. One thread per
/// connection, armed and disarmed around each exchange.
struct Watchdog {
    arm: mpsc::Sender<Option<Instant>>,
    fired: std::sync::Arc<AtomicBool>,
}

impl Watchdog {
    fn start(host: &str, port: u16) -> Watchdog {
        let (arm, orders) = mpsc::channel::<Option<Instant>>();
        let fired = std::sync::Arc::new(AtomicBool::new(false));
        let flag = fired.clone();
        let host = host.to_string();
        std::thread::spawn(move || {
            let mut deadline: Option<Instant> = None;
            loop {
                let order = match deadline {
                    None => orders
                        .recv()
                        .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                    Some(d) => orders.recv_timeout(d.saturating_duration_since(Instant::now())),
                };
                match order {
                    Ok(d) => deadline = d,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        flag.store(true, Ordering::SeqCst);
                        cut_connections(&host, port);
                        deadline = None;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        });
        Watchdog { arm, fired }
    }

    /// Runs `exchange`, cut if not over within `limit`; says whether it was cut.
    fn within<R>(&self, limit: Duration, exchange: impl FnOnce() -> R) -> (R, bool) {
        self.fired.store(false, Ordering::SeqCst);
        let _ = self.arm.send(Some(Instant::now() + limit));
        let result = exchange();
        let _ = self.arm.send(None);
        (result, self.fired.swap(false, Ordering::SeqCst))
    }
}

/// Shuts down this process's connections to `host:port`, so that a blocked read returns.
/// (A server that stalls one connection this long is not fit to carry the others: they
/// end too, and the run stops; the next run finishes.)
#[cfg(target_os = "linux")]
fn cut_connections(host: &str, port: u16) {
    use std::net::ToSocketAddrs;
    use std::os::fd::FromRawFd;
    let Ok(addresses) = (host, port).to_socket_addrs() else {
        return;
    };
    let addresses: Vec<std::net::SocketAddr> = addresses.collect();
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for fd in fds.flatten() {
        let Some(fd) = fd.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        // SAFETY: the descriptor is open (listed just now) and is never closed here:
        // ManuallyDrop keeps the TcpStream from closing it. On anything but a socket,
        // peer_addr fails and nothing is done.
        let stream = std::mem::ManuallyDrop::new(unsafe { std::net::TcpStream::from_raw_fd(fd) });
        if stream.peer_addr().is_ok_and(|a| addresses.contains(&a)) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Elsewhere, each read stays bounded by the timeout.
#[cfg(not(target_os = "linux"))]
fn cut_connections(_host: &str, _port: u16) {}

/// What the workers of one delivery share.
struct Shared<'a, T> {
    take: &'a (dyn Fn() -> Option<Job<T>> + Sync),
    done: &'a (dyn Fn(Job<T>, Result<(), SendError>) -> ControlFlow<()> + Sync),
    /// Jobs handed back by a connection that closed before sending them.
    returned: Mutex<Vec<Job<T>>>,
    stop: AtomicBool,
    /// Workers still at work.
    alive: AtomicUsize,
}

impl<T> Shared<'_, T> {
    fn next(&self) -> Option<Job<T>> {
        if self.stop.load(Ordering::SeqCst) {
            return None;
        }
        let returned = self
            .returned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        returned.or_else(|| (self.take)())
    }

    fn finish(&self, job: Job<T>, result: Result<(), SendError>) {
        if (self.done)(job, result).is_break() {
            self.stop.store(true, Ordering::SeqCst);
        }
    }

    fn hand_back(&self, jobs: impl IntoIterator<Item = Job<T>>) {
        self.returned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(jobs);
    }

    /// Leaves the work to the other workers, if there is another one.
    fn retire(&self) -> bool {
        self.alive
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n > 1).then(|| n - 1)
            })
            .is_ok()
    }
}

/// What the server said to a message's envelope (MAIL, RCPT, DATA).
enum Answer {
    /// DATA was accepted: the content goes next.
    Accepted,
    /// Refused (the first refusal, or a 421) at `stage`; `in_data`: the server accepted
    /// DATA all the same and waits for content.
    Refused {
        why: SmtpError,
        stage: Stage,
        in_data: bool,
    },
}

/// How a run of messages over one connection ended.
enum End<T> {
    /// No more messages, or the connection's budget is spent: it can be reused.
    Drained,
    /// The server said it is busy (421) or closing: these messages were not accepted.
    Busy(Vec<Job<T>>, String),
    /// The connection failed: the first message was not delivered (reported by the
    /// caller), the others were not sent.
    Broken(Job<T>, SendError, Vec<Job<T>>),
    /// The connection failed between messages.
    Lost,
    /// The server closed the connection after a 421 about one recipient (reported as a
    /// temporary failure of that message): the others go on over a new connection.
    Closed(String),
}

/// 421 answers to RCPT in a row, with no message accepted in between, after which the
/// server is taken to be busy rather than troubled by one recipient: the connection backs
/// off as after any 421.
const CLOSED_IN_A_ROW: u32 = 3;

/// An SMTP client over lettre's connections.
pub struct SmtpSender {
    host: String,
    port: u16,
    pub(super) server: String,
    timeout: Duration,
    tls: Option<(TlsParameters, bool)>,
    credentials: Option<Credentials>,
    connections: usize,
    per_connection: Option<usize>,
    pace: Option<Pace>,
    /// Open connections between deliveries of one run.
    pool: Mutex<Vec<Conn>>,
}

impl SmtpSender {
    pub(super) fn new(s: &SmtpSettings) -> Result<SmtpSender, TransportError> {
        let tls = match s.security {
            Security::None => None,
            Security::Starttls => Some((tls_parameters(s)?, false)),
            Security::Tls => Some((tls_parameters(s)?, true)),
        };
        let credentials = match &s.username {
            Some(user) => {
                let password = match &s.password {
                    Some(source) => source.read()?,
                    None => String::new(),
                };
                Some(Credentials::new(user.clone(), password))
            }
            None => None,
        };
        // Every time span derived from the configuration is computed here, before any
        // connection: a rate or a timeout that could not be counted is an error, not a panic
        // in the middle of a delivery.
        let out_of_range = |key, value: String| TransportError::OutOfRange { key, value };
        let pace = match s.rate_limit {
            Some(rate) => {
                let interval = Duration::try_from_secs_f64(1.0 / rate)
                    .ok()
                    .filter(|i| Instant::now().checked_add(*i).is_some())
                    .ok_or_else(|| out_of_range("delivery.smtp.rate_limit", rate.to_string()))?;
                Some(Pace {
                    interval,
                    next: Mutex::new(Instant::now()),
                })
            }
            None => None,
        };
        if Instant::now()
            .checked_add(s.timeout.saturating_mul(2))
            .is_none()
        {
            return Err(out_of_range(
                "delivery.smtp.timeout_seconds",
                s.timeout.as_secs().to_string(),
            ));
        }
        Ok(SmtpSender {
            host: s.host.clone(),
            port: s.port,
            server: format!("{}:{}", s.host, s.port),
            timeout: s.timeout,
            tls,
            credentials,
            connections: s.connections.max(1),
            per_connection: s.max_messages_per_connection,
            pace,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// Opens one connection (kept for the deliveries to come) unless one is open.
    pub(super) fn ready(&self) -> Result<(), Connect> {
        if !self
            .pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
        {
            return Ok(());
        }
        let dog = Watchdog::start(&self.host, self.port);
        let conn = self.open(&dog)?;
        self.pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
        Ok(())
    }

    /// Words for a failure to connect: a read that timed out says so (the system's words
    /// for it are "Resource temporarily unavailable"), with a hint when the server may be
    /// waiting for TLS from the first byte.
    pub(super) fn explain(&self, e: &SmtpError) -> String {
        let mut source = std::error::Error::source(e);
        while let Some(err) = source {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && matches!(
                    io.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                )
            {
                let hint = if matches!(self.tls, Some((_, true))) {
                    ""
                } else {
                    "; a server that expects TLS from the first byte (usually port 465) needs security: tls"
                };
                return format!(
                    "no answer within {} s (timeout_seconds){hint}",
                    self.timeout.as_secs()
                );
            }
            source = err.source();
        }
        e.to_string()
    }

    /// The longest one exchange (connecting and logging in, or one message) may take: twice
    /// the configured timeout, which bounds each read.
    fn exchange_limit(&self) -> Duration {
        self.timeout.saturating_mul(2)
    }

    /// Connects, upgrades to TLS (STARTTLS is required when configured: without it no
    /// credentials are sent), asks what the server offers, and logs in.
    fn open(&self, dog: &Watchdog) -> Result<Conn, Connect> {
        let (result, expired) = dog.within(self.exchange_limit(), || self.open_now());
        match result {
            Err(Connect::Other(e) | Connect::Login(e)) if expired => Err(Connect::Other(e)),
            other => other,
        }
    }

    fn open_now(&self) -> Result<Conn, Connect> {
        let hello = ClientId::default();
        let wrapper = self
            .tls
            .as_ref()
            .filter(|(_, implicit)| *implicit)
            .map(|(p, _)| p);
        let mut inner = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &hello,
            wrapper,
            None,
        )
        .map_err(Connect::Other)?;
        if let Some((parameters, false)) = &self.tls {
            inner.starttls(parameters, &hello).map_err(Connect::Other)?;
        }
        // lettre keeps only the extensions it uses from the EHLO reply; PIPELINING is read
        // from a reply of our own (after TLS, before logging in: EHLO resets nothing yet).
        let pipelining = inner
            .command(Ehlo::new(hello))
            .map_err(Connect::Other)?
            .message()
            .any(|line| line.trim().eq_ignore_ascii_case("PIPELINING"));
        if let Some(credentials) = &self.credentials {
            inner
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .map_err(Connect::Login)?;
        }
        Ok(Conn {
            inner,
            pipelining,
            sent: 0,
        })
    }

    /// Delivers every job `take` gives, over up to `connections` connections (no more than
    /// `expected` jobs need), reporting each to `done` as soon as the server answers for it;
    /// `done` returning `Break` stops the delivery after the messages in flight.
    pub(super) fn send_all<T: Send>(
        &self,
        expected: usize,
        take: &(dyn Fn() -> Option<Job<T>> + Sync),
        done: &(dyn Fn(Job<T>, Result<(), SendError>) -> ControlFlow<()> + Sync),
    ) {
        let shared = Shared {
            take,
            done,
            returned: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            alive: AtomicUsize::new(0),
        };
        let mut workers = self.connections.min(expected.max(1));
        loop {
            shared.alive.store(workers, Ordering::SeqCst);
            std::thread::scope(|scope| {
                for _ in 0..workers {
                    let first = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let shared = &shared;
                    scope.spawn(move || self.worker(shared, first));
                }
            });
            // A worker that retired may have handed work back after the others ended.
            let left = shared
                .returned
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .len();
            if left == 0 || shared.stop.load(Ordering::SeqCst) {
                return;
            }
            workers = self.connections.min(left);
        }
    }

    /// One connection's share of the work: takes jobs until there are none left, replacing
    /// the connection when its budget is spent or the server is busy.
    fn worker<T>(&self, shared: &Shared<'_, T>, mut conn: Option<Conn>) {
        let dog = Watchdog::start(&self.host, self.port);
        let mut held: Vec<Job<T>> = Vec::new();
        let mut failures = 0u32;
        let mut closed = 0u32;
        loop {
            if shared.stop.load(Ordering::SeqCst) {
                if let Some(c) = conn.take() {
                    self.keep(c);
                }
                break;
            }
            let Some(mut c) = conn.take() else {
                match self.open(&dog) {
                    Ok(c) => conn = Some(c),
                    Err(Connect::Login(e) | Connect::Other(e)) => {
                        let why = format!("{}: {}", self.server, self.explain(&e));
                        if !self.back_off(shared, &mut held, &mut failures, &why) {
                            return;
                        }
                    }
                }
                continue;
            };
            let first = match held.pop() {
                Some(job) => Some(job),
                None => shared.next(),
            };
            let Some(first) = first else {
                self.keep(c);
                break;
            };
            match self.run(&mut c, first, shared, &dog) {
                End::Drained => {
                    failures = 0;
                    if self.per_connection.is_some_and(|max| c.sent >= max) {
                        let _ = c.inner.command(Quit);
                    } else {
                        conn = Some(c);
                    }
                }
                End::Busy(jobs, why) => {
                    c.inner.abort();
                    held.extend(jobs);
                    if !self.back_off(shared, &mut held, &mut failures, &why) {
                        return;
                    }
                }
                End::Broken(job, why, rest) => {
                    c.inner.abort();
                    shared.hand_back(rest);
                    shared.finish(job, Err(why));
                }
                End::Lost => c.inner.abort(),
                End::Closed(why) => {
                    c.inner.abort();
                    closed = if c.sent > 0 { 1 } else { closed + 1 };
                    if closed >= CLOSED_IN_A_ROW {
                        closed = 0;
                        if !self.back_off(shared, &mut held, &mut failures, &why) {
                            return;
                        }
                    }
                }
            }
        }
        shared.alive.fetch_sub(1, Ordering::SeqCst);
    }

    /// After the server was busy or unreachable: hands the work to the other connections if
    /// any is left, else waits and says to try again — up to [`RECONNECTS`] times, after
    /// which the message in hand is reported undelivered (which stops the run). Returns
    /// whether this worker goes on.
    fn back_off<T>(
        &self,
        shared: &Shared<'_, T>,
        held: &mut Vec<Job<T>>,
        failures: &mut u32,
        why: &str,
    ) -> bool {
        if shared.retire() {
            shared.hand_back(held.drain(..));
            return false;
        }
        *failures += 1;
        if *failures > RECONNECTS || shared.stop.load(Ordering::SeqCst) {
            let job = held.pop().or_else(|| shared.next());
            shared.hand_back(held.drain(..));
            if let Some(job) = job {
                shared.finish(job, Err(SendError::Unavailable(why.to_string())));
            }
            shared.stop.store(true, Ordering::SeqCst);
            shared.alive.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        std::thread::sleep(Duration::from_secs(1 << (*failures - 1)));
        true
    }

    /// Returns a connection to the pool for the next delivery of this run.
    fn keep(&self, c: Conn) {
        if c.inner.has_broken() {
            return;
        }
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(c);
    }

    /// Sends `first`, then more jobs while there are any and the connection's budget lasts.
    fn run<T>(
        &self,
        c: &mut Conn,
        first: Job<T>,
        shared: &Shared<'_, T>,
        dog: &Watchdog,
    ) -> End<T> {
        let limit = self.exchange_limit();
        let mut current = first;
        // With PIPELINING, the envelope of `current` may already be written (with the
        // content of the message before it).
        let mut envelope_sent = false;
        loop {
            let (envelope, cut) = dog.within(limit, || self.envelope(c, &current, envelope_sent));
            match envelope {
                Err(e) => return self.failed(current, Vec::new(), &e, cut),
                Ok(Answer::Refused {
                    why,
                    stage,
                    in_data,
                }) => {
                    if let Some(busy) = busy(&why) {
                        if stage == Stage::Rcpt {
                            // About this recipient, for now: the message is deferred, and
                            // the others go on over a new connection.
                            let why = format!("{}: {busy}", self.server);
                            shared.finish(current, Err(SendError::Temporary(why.clone())));
                            return End::Closed(why);
                        }
                        return End::Busy(vec![current], busy);
                    }
                    shared.finish(current, Err(classify(&why, &self.server, stage)));
                    // Hanging up inside DATA delivers nothing; otherwise RSET ends the
                    // transaction.
                    if in_data || c.inner.command(Rset).is_err() {
                        return End::Lost;
                    }
                    envelope_sent = false;
                    match self.another(c, shared, 0) {
                        Some(job) => current = job,
                        None => return End::Drained,
                    }
                    continue;
                }
                Ok(Answer::Accepted) => {}
            }
            if shared.stop.load(Ordering::SeqCst) {
                // The server waits for content that must not go out now: hanging up
                // inside DATA delivers nothing.
                shared.hand_back([current]);
                return End::Lost;
            }
            // DATA was accepted: the content goes out, with the next envelope if pipelining.
            let next = if c.pipelining {
                self.another(c, shared, 1)
            } else {
                None
            };
            // The rate limit spaces the messages' contents: a message is submitted when its
            // content goes out.
            if let Some(pace) = &self.pace {
                pace.wait();
            }
            let (accepted, cut) = dog.within(limit, || {
                let mut text = current.content();
                if let Some(next) = &next {
                    text.push_str(&next.envelope_commands());
                }
                c.inner.command(Raw(&text))
            });
            match accepted {
                Ok(_) => {
                    c.sent += 1;
                    shared.finish(current, Ok(()));
                }
                Err(e) if !e.is_transient() && !e.is_permanent() => {
                    return self.failed(current, next.into_iter().collect(), &e, cut);
                }
                Err(e) => {
                    if let Some(busy) = busy(&e) {
                        return End::Busy([current].into_iter().chain(next).collect(), busy);
                    }
                    // A refused message ends its transaction: no RSET needed.
                    shared.finish(current, Err(classify(&e, &self.server, Stage::Content)));
                }
            }
            match next {
                Some(job) => {
                    current = job;
                    envelope_sent = true;
                }
                None => match self.another(c, shared, 0) {
                    Some(job) => {
                        current = job;
                        envelope_sent = false;
                    }
                    None => return End::Drained,
                },
            }
        }
    }

    /// The next job for this connection, unless its budget is spent (counting the message
    /// `in_flight`, if any).
    fn another<T>(&self, c: &Conn, shared: &Shared<'_, T>, in_flight: usize) -> Option<Job<T>> {
        if self
            .per_connection
            .is_some_and(|max| c.sent + in_flight >= max)
        {
            return None;
        }
        shared.next()
    }

    /// Sends MAIL, RCPT and DATA (unless `written` already, pipelined) and reads their
    /// replies, one for each command. `Err` when the connection failed before any refusal.
    fn envelope<T>(&self, c: &mut Conn, job: &Job<T>, written: bool) -> Result<Answer, SmtpError> {
        let commands = job.envelope_lines();
        let count = commands.len();
        let mut first = None;
        if c.pipelining && !written {
            first = Some(c.inner.command(Raw(&commands.concat())));
        }
        let mut refusal: Option<(SmtpError, Stage)> = None;
        let stage_of = |k: usize| match k {
            0 => Stage::Mail,
            k if k + 1 == count => Stage::Data,
            _ => Stage::Rcpt,
        };
        for (k, command) in commands.iter().enumerate() {
            let reply = if c.pipelining {
                first.take().unwrap_or_else(|| c.inner.read_response())
            } else if refusal.is_some() {
                break;
            } else {
                c.inner.command(Raw(command))
            };
            match reply {
                // DATA accepted although something before it was refused: the server waits
                // for content.
                Ok(_) if k + 1 == count && refusal.is_some() => {
                    let (why, stage) = refusal.take().expect("a refusal");
                    return Ok(Answer::Refused {
                        why,
                        stage,
                        in_data: true,
                    });
                }
                Ok(_) => {}
                // The server is closing the connection: what else it said does not matter.
                Err(e) if busy(&e).is_some() => {
                    return Ok(Answer::Refused {
                        why: e,
                        stage: stage_of(k),
                        in_data: false,
                    });
                }
                Err(e) if e.is_transient() || e.is_permanent() => {
                    refusal.get_or_insert((e, stage_of(k)));
                }
                Err(e) => {
                    return match refusal {
                        Some((why, stage)) => Ok(Answer::Refused {
                            why,
                            stage,
                            in_data: false,
                        }),
                        None => Err(e),
                    };
                }
            }
        }
        Ok(match refusal {
            Some((why, stage)) => Answer::Refused {
                why,
                stage,
                in_data: false,
            },
            None => Answer::Accepted,
        })
    }

    /// A connection failure while `job` was in flight.
    fn failed<T>(&self, job: Job<T>, rest: Vec<Job<T>>, e: &SmtpError, cut: bool) -> End<T> {
        let why = if cut {
            format!(
                "{}: no complete answer within {} s; the connection was cut",
                self.server,
                self.exchange_limit().as_secs()
            )
        } else {
            format!("{}: {}", self.server, self.explain(e))
        };
        End::Broken(job, SendError::Unavailable(why), rest)
    }
}

/// A 421 reply (the server is closing the connection, often "too many connections"): the
/// server's words, when it is one.
fn busy(e: &SmtpError) -> Option<String> {
    let code = e.status()?.to_string();
    (code == "421").then(|| format!("{code} {e}"))
}

impl Drop for SmtpSender {
    fn drop(&mut self) {
        for c in self.pool.get_mut().unwrap_or_else(|e| e.into_inner()) {
            let _ = c.inner.command(Quit);
        }
    }
}

/// Text written as it is (lettre writes any `Display` as a command).
struct Raw<'a>(&'a str);

impl std::fmt::Display for Raw<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl<T> Job<T> {
    /// MAIL, RCPT (one per recipient) and DATA, each a line.
    fn envelope_lines(&self) -> Vec<String> {
        let envelope = &self.envelope;
        let mut lines = vec![format!(
            "MAIL FROM:<{}>\r\n",
            envelope.from().map_or("", |a| a.as_ref())
        )];
        for to in envelope.to() {
            lines.push(format!("RCPT TO:<{to}>\r\n"));
        }
        lines.push("DATA\r\n".to_string());
        lines
    }

    fn envelope_commands(&self) -> String {
        self.envelope_lines().concat()
    }

    /// The content as sent after DATA: lines starting with a dot get another one, and the
    /// content ends with CRLF, a dot, CRLF.
    fn content(&self) -> String {
        // lettre builds messages of ASCII lines (quoted-printable or base64 bodies).
        let text = String::from_utf8_lossy(&self.formatted);
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive("\r\n") {
            if line.starts_with('.') {
                out.push('.');
            }
            out.push_str(line);
        }
        if !text.ends_with("\r\n") {
            out.push_str("\r\n");
        }
        let _ = out.write_str(".\r\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(body: &str) -> Job<()> {
        let message = lettre::Message::builder()
            .from("legal@example.com".parse().unwrap())
            .to("ada@example.com".parse().unwrap())
            .subject("s")
            .body(body.to_string())
            .unwrap();
        Job {
            tag: (),
            envelope: message.envelope().clone(),
            formatted: message.formatted(),
            name: "n".into(),
        }
    }

    #[test]
    fn content_is_dot_stuffed_and_ends_with_a_dot() {
        let content = job("a\r\n.b\r\n..\r\nc").content();
        assert!(
            content.ends_with("\r\na\r\n..b\r\n...\r\nc\r\n.\r\n"),
            "{content:?}"
        );
        assert!(job(".").content().ends_with("\r\n..\r\n.\r\n"));
    }

    #[test]
    fn envelope_is_mail_rcpt_data() {
        assert_eq!(
            job("x").envelope_commands(),
            "MAIL FROM:<legal@example.com>\r\nRCPT TO:<ada@example.com>\r\nDATA\r\n"
        );
    }

    #[test]
    fn pace_spaces_slots_across_callers() {
        let pace = Pace {
            interval: Duration::from_millis(5),
            next: Mutex::new(Instant::now()),
        };
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for _ in 0..4 {
                        pace.wait();
                    }
                });
            }
        });
        // 12 slots, 5 ms apart: the last is at least 55 ms after the first.
        assert!(start.elapsed() >= Duration::from_millis(55));
    }
}
